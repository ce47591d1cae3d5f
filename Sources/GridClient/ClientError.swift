/// A request the client could not complete.
public struct ClientError: Error, CustomStringConvertible, Sendable {
    public let description: String
    /// True when asking again on a new connection may work (the matchmaker went away mid-request).
    public var isTransient = false

    static let closed = ClientError(
        description: "The matchmaker closed the connection before answering.", isTransient: true)
    /// True for `closedByProgram`, which ends `GridConnection.results` without an error.
    var isClosedByProgram = false

    /// The program closed the connection (the body of `GridConnection.withConnection` returned).
    static let closedByProgram = ClientError(
        description: "The connection to the matchmaker was closed by the program.", isClosedByProgram: true)
    static func refused(_ reason: String) -> ClientError { ClientError(description: reason) }
    static func unexpected(_ wanted: String) -> ClientError {
        ClientError(description: "The matchmaker answered with something other than '\(wanted)'.")
    }
}
