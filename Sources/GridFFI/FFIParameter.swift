import GridFFICall

/// One declared parameter of an FFI capability.
///
/// Inputs (scalars, strings, buffers) are taken from the job's argument array in order; outputs are not: the host
/// allocates them with the size their rule gives and returns their bytes with the result.
public struct FFIParameter: Sendable, Hashable, CustomStringConvertible {
    /// How the parameter is passed to C.
    public enum Kind: Sendable, Hashable {
        /// A scalar by value.
        case scalar(FFIScalarType)
        /// A NUL-terminated `const char *` holding the argument's UTF-8 bytes.
        case string
        /// A `const uint8_t *` followed by its length as an argument of the integer type `length`.
        case buffer(length: FFIScalarType)
        /// A `uint8_t *` to a zeroed buffer the function fills, returned with the result.
        case output(FFIOutputBuffer)
    }

    /// A C identifier, unique within the capability.
    public let name: String
    public let kind: Kind

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

    /// True for parameters the job's argument array supplies (everything but outputs).
    public var isInput: Bool {
        if case .output = kind { return false }
        return true
    }

    /// True for strings and buffers, the parameters with a byte length.
    var isStringOrBuffer: Bool {
        switch kind {
        case .string, .buffer: return true
        case .scalar, .output: return false
        }
    }

    /// The C parameters it stands for, as declared in C: `uint64_t crc` or `const uint8_t *data, uint32_t data_length`.
    public var cDeclaration: String {
        switch kind {
        case .scalar(let type): return "\(type.cName) \(name)"
        case .string: return "const char *\(name)"
        case .buffer(let length): return "const uint8_t *\(name), \(length.cName) \(name)_length"
        case .output(let output):
            return "uint8_t *\(name)" + (output.length.map { ", \($0.cName) \(name)_size" } ?? "")
        }
    }

    public var description: String { cDeclaration }
}
