/// A request the client could not complete.
public struct ClientError: Error, CustomStringConvertible, Sendable {
    public let description: String

    static let closed = ClientError(description: "The matchmaker closed the connection before answering.")
    static func refused(_ reason: String) -> ClientError { ClientError(description: reason) }
    static func unexpected(_ wanted: String) -> ClientError {
        ClientError(description: "The matchmaker answered with something other than '\(wanted)'.")
    }
}
