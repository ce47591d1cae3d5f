/// A peer's identity as others see it: its Ed25519 public key, written as 64 hex digits.
public struct PeerID: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let publicKey: [UInt8]

    public init(publicKey: [UInt8]) {
        self.publicKey = publicKey
    }

    /// Parses 64 hex digits; nil for anything else.
    public init?(hex: String) {
        guard hex.utf8.count == 64, let bytes = Hex.decode(hex) else { return nil }
        self.publicKey = bytes
    }

    /// Parses 64 hex digits given as UTF-8 bytes, as read from a database column; nil for anything else.
    public init?(hexUTF8 text: UnsafeBufferPointer<UInt8>) {
        guard text.count == 64, let bytes = Hex.decode(utf8: text) else { return nil }
        self.publicKey = bytes
    }

    public var hex: String { Hex.encode(publicKey) }

    /// The first 8 hex digits, for tables and logs.
    public var short: String { String(hex.prefix(8)) }

    public var description: String { hex }

    /// Byte order of the keys, which is the order of their hex forms (lowercase hex sorts as the bytes do).
    public static func < (lhs: PeerID, rhs: PeerID) -> Bool {
        lhs.publicKey.lexicographicallyPrecedes(rhs.publicKey)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = PeerID(hex: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "a peer id must be 64 hex digits")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
