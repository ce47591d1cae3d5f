/// Everything needed to make one C call through libffi, checked and ready: the library, the symbol, the return type
/// and every argument's value.
///
/// A plan is built (and its arguments checked) where the job arrives, then encoded with `encode()` and carried to
/// the process that makes the call, which decodes it with `init(decoding:)` and hands it to `FFIInvoker`.
public struct FFICallPlan: Sendable, Hashable {
    /// The largest output buffer a plan may ask for, 64 MiB.
    public static let maximumOutputSize = 64 << 20
    /// The most arguments a plan may pass.
    public static let maximumArgumentCount = 64

    /// The library: a soname (`libz.so.1`, searched like `dlopen` does) or a path containing a slash.
    public var library: String
    /// The exported symbol to call.
    public var symbol: String
    /// The return type; nil for `void`.
    public var returns: FFIScalarType?
    /// The C arguments, in order.
    public var arguments: [FFIArgument]

    public init(library: String, symbol: String, returns: FFIScalarType?, arguments: [FFIArgument]) {
        self.library = library
        self.symbol = symbol
        self.returns = returns
        self.arguments = arguments
    }

    /// The sizes of the output buffers, in argument order.
    public var outputSizes: [Int] {
        arguments.compactMap {
            if case .output(let size) = $0 { return size }
            return nil
        }
    }
}
