/// One C argument of a planned call, in the order the C function takes them.
///
/// A (pointer, length) buffer is two arguments: `.bytes` for the pointer and a `.value` for the length, which the
/// planner computes; an output buffer with its size passed is likewise `.output` followed by a `.value`.
public enum FFIArgument: Sendable, Hashable {
    /// A scalar passed by value.
    case value(FFIValue)
    /// A `const char *`: these bytes (UTF-8, no NUL inside) followed by a terminating NUL.
    case string([UInt8])
    /// A `const uint8_t *` pointing at a private copy of these bytes.
    case bytes([UInt8])
    /// A `uint8_t *` to `size` zeroed bytes the function may write; they are returned with the result.
    case output(size: Int)
}
