#if canImport(Glibc)
import Glibc
#endif

/// A child process that could not be started.
public struct ChildProcessError: Error, CustomStringConvertible, Sendable {
    public let executable: String
    public let errno: Int32
    public var description: String {
        "Could not start \(executable): \(String(cString: strerror(errno)))."
    }
}
