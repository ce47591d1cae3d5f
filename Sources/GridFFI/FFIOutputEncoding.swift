/// How an output buffer appears in the JSON output.
public enum FFIOutputEncoding: String, Sendable, Hashable, CaseIterable {
    /// `{"base64": "..."}`, the same form buffers take as input (the default).
    case base64
    /// A string of lowercase hex digits.
    case hex
    /// A string: the bytes up to the first NUL as UTF-8 (`{"base64": ...}` when they are not UTF-8).
    case text
}
