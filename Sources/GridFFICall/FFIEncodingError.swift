/// A call plan or call result that could not be decoded: truncated, of another version, or inconsistent.
public struct FFIEncodingError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Sendable, Hashable {
        case truncated(what: String)
        case badHeader(what: String)
        case invalid(what: String, reason: String)
    }

    private let code: Code

    /// The bytes of `what` ("call plan", "call result") end too early.
    public static func truncated(_ what: String) -> Self { Self(code: .truncated(what: what)) }
    /// The bytes of `what` do not start with its magic and version 1.
    public static func badHeader(_ what: String) -> Self { Self(code: .badHeader(what: what)) }
    /// `what` decoded but breaks a rule, given as a clause in `reason`.
    public static func invalid(_ what: String, _ reason: String) -> Self {
        Self(code: .invalid(what: what, reason: reason))
    }

    public var description: String {
        switch code {
        case .truncated(let what):
            return "The encoded FFI \(what) ends before its last field."
        case .badHeader(let what):
            return "The bytes are not an FFI \(what) of version 1 (wrong magic or version)."
        case .invalid(let what, let reason):
            return "The encoded FFI \(what) is invalid: \(reason)."
        }
    }
}
