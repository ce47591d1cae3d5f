/// A runner frame that cannot be decoded: the runner (or a plugin writing to its channel) broke the protocol.
public struct RunnerProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Sendable, Hashable {
        case truncated
        case malformed(String)
        case oversized(Int)
    }

    private let code: Code

    /// The frame ended before a field it announced.
    public static let truncated = RunnerProtocolError(code: .truncated)

    /// A field holds a value the protocol does not allow.
    public static func malformed(_ reason: String) -> RunnerProtocolError {
        RunnerProtocolError(code: .malformed(reason))
    }

    /// A frame announced more bytes than `RunnerFrame.maximumLength`.
    public static func oversized(_ length: Int) -> RunnerProtocolError {
        RunnerProtocolError(code: .oversized(length))
    }

    public var description: String {
        switch code {
        case .truncated:
            return "a runner frame ended before the fields it announced"
        case .malformed(let reason):
            return "a runner frame is malformed: \(reason)"
        case .oversized(let length):
            return "a runner frame announced \(length) bytes, more than the \(RunnerFrame.maximumLength) allowed"
        }
    }
}
