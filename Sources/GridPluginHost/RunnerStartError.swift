/// A runner process could not be started: the executable and the OS's reason.
public struct RunnerStartError: Error, Sendable, Hashable, CustomStringConvertible {
    public let executable: String
    public let reason: String

    public var description: String {
        "The plugin runner \(executable) could not be started: \(reason)."
    }
}
