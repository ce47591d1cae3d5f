import GridFFICall

/// How an output parameter is allocated, passed and returned.
public struct FFIOutputBuffer: Sendable, Hashable {
    /// How many zeroed bytes the host allocates.
    public let size: FFISizeRule
    /// When set, the size follows the pointer as an argument of this integer type.
    public let length: FFIScalarType?
    /// How the bytes appear in the JSON output.
    public let encoding: FFIOutputEncoding
    /// When true, only the first `return value` bytes are returned (none when it is negative, all when it is larger
    /// than the buffer): for functions that return how many bytes they wrote.
    public let trimToReturn: Bool

    public init(size: FFISizeRule, length: FFIScalarType? = nil, encoding: FFIOutputEncoding = .base64,
                trimToReturn: Bool = false) {
        self.size = size
        self.length = length
        self.encoding = encoding
        self.trimToReturn = trimToReturn
    }

    /// The bytes to return from `bytes`, the whole buffer after the call, given the call's return value.
    func used(_ bytes: [UInt8], returnValue: FFIValue?) -> [UInt8] {
        guard trimToReturn, let returnValue else { return bytes }
        switch returnValue {
        case .uint64(let count): return Array(bytes.prefix(Int(clamping: count)))
        default:
            guard let count = returnValue.int64Value else { return bytes }
            return Array(bytes.prefix(Int(clamping: max(0, count))))
        }
    }
}
