/// A C scalar type an FFI call can pass or return: fixed-width integers, `float` and `double`.
public enum FFIScalarType: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case int8 = 1
    case int16 = 2
    case int32 = 3
    case int64 = 4
    case uint8 = 5
    case uint16 = 6
    case uint32 = 7
    case uint64 = 8
    case float = 9
    case double = 10

    /// The name manifests use: `int8` … `uint64`, `float`, `double`.
    public var name: String {
        switch self {
        case .int8: return "int8"
        case .int16: return "int16"
        case .int32: return "int32"
        case .int64: return "int64"
        case .uint8: return "uint8"
        case .uint16: return "uint16"
        case .uint32: return "uint32"
        case .uint64: return "uint64"
        case .float: return "float"
        case .double: return "double"
        }
    }

    /// The type called `name`, or nil.
    public init?(name: String) {
        guard let found = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = found
    }

    /// The C spelling, for showing signatures: `int32_t`, `uint64_t`, `double`.
    public var cName: String {
        switch self {
        case .float, .double: return name
        default: return name + "_t"
        }
    }

    /// True for the eight integer types.
    public var isInteger: Bool { self != .float && self != .double }

    /// True for the signed integer types.
    public var isSigned: Bool { self == .int8 || self == .int16 || self == .int32 || self == .int64 }

    /// Size in bytes.
    public var size: Int {
        switch self {
        case .int8, .uint8: return 1
        case .int16, .uint16: return 2
        case .int32, .uint32, .float: return 4
        case .int64, .uint64, .double: return 8
        }
    }

    /// The smallest value of an integer type (0 for unsigned ones; meaningless for `float` and `double`).
    public var minimum: Int64 {
        switch self {
        case .int8: return Int64(Int8.min)
        case .int16: return Int64(Int16.min)
        case .int32: return Int64(Int32.min)
        case .int64: return Int64.min
        default: return 0
        }
    }

    /// The largest value of an integer type (meaningless for `float` and `double`).
    public var maximum: UInt64 {
        switch self {
        case .int8: return UInt64(Int8.max)
        case .int16: return UInt64(Int16.max)
        case .int32: return UInt64(Int32.max)
        case .int64: return UInt64(Int64.max)
        case .uint8: return UInt64(UInt8.max)
        case .uint16: return UInt64(UInt16.max)
        case .uint32: return UInt64(UInt32.max)
        case .uint64: return UInt64.max
        case .float, .double: return 0
        }
    }

    public var description: String { name }
}
