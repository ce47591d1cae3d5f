/// A version range that could not be parsed.
public struct VersionRangeError: Error, CustomStringConvertible, Sendable, Equatable {
    public let text: String
    public let reason: String
    public var description: String { "'\(text)' is not a version range: \(reason)." }
}
