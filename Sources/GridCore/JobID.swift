/// A job's identifier: 16 lowercase hex digits chosen by the submitter.
public struct JobID: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let rawValue: String

    /// Accepts 1 to 64 characters of `[a-z0-9-]`; nil for anything else.
    public init?(_ rawValue: String) {
        guard (1...64).contains(rawValue.utf8.count),
              rawValue.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2d })
        else { return nil }
        self.rawValue = rawValue
    }

    /// A fresh id from 8 random bytes supplied by the caller (GridCore does no I/O).
    public init(randomBytes: [UInt8]) {
        self.rawValue = Hex.encode(randomBytes)
    }

    public var description: String { rawValue }

    public static func < (lhs: JobID, rhs: JobID) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = JobID(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "a job id is 1 to 64 characters of a-z, 0-9 and '-'")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
