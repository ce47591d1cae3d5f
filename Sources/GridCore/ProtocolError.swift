/// A message that breaks the protocol: unknown version or type, or a malformed body.
public struct ProtocolError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
