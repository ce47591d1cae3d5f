import Foundation
import GridCore

/// A 32-byte SHA-256 hash of a Merkle tree leaf or node, held inline without a heap allocation.
public struct MerkleHash: Hashable, Sendable, CustomStringConvertible {
    /// Length of a hash in bytes.
    public static let length = 32

    private var value: SIMD32<UInt8>

    /// Wraps a value already known to be a hash (used by the hasher).
    init(value: SIMD32<UInt8>) {
        self.value = value
    }

    /// Takes the 32 bytes of `bytes`; throws when there are not exactly 32 of them.
    public init<Bytes: Collection<UInt8>>(bytes: Bytes) throws {
        guard bytes.count == Self.length else {
            throw MerkleError.badHashLength(bytes.count)
        }
        var value = SIMD32<UInt8>()
        // One copy from contiguous storage ([UInt8], Data): a byte-by-byte loop through the generic Collection
        // API cost as much as a SHA-256 when verifying a ledger's stored nodes.
        let copied: Void? = bytes.withContiguousStorageIfAvailable { source in
            Swift.withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: UnsafeRawBufferPointer(source)) }
        }
        if copied == nil {
            for (i, byte) in bytes.enumerated() {
                value[i] = byte
            }
        }
        self.value = value
    }

    /// Parses 64 hex digits; nil for anything else.
    public init?(hex: String) {
        guard hex.utf8.count == 2 * Self.length, let bytes = Hex.decode(hex) else { return nil }
        try? self.init(bytes: bytes)
    }

    /// Parses the standard base64 form of 32 bytes; nil for anything else.
    public init?(base64: String) {
        guard let data = Data(base64Encoded: base64), data.count == Self.length else { return nil }
        try? self.init(bytes: data)
    }

    /// The 32 bytes of the hash.
    public var bytes: [UInt8] {
        withUnsafeBytes { Array($0) }
    }

    /// Lowercase hex, 64 digits.
    public var hex: String { Hex.encode(bytes) }

    /// Standard base64 with padding, 44 characters.
    public var base64: String { Data(bytes).base64EncodedString() }

    public var description: String { hex }

    /// Calls `body` with the 32 bytes of the hash.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try Swift.withUnsafeBytes(of: value, body)
    }
}
