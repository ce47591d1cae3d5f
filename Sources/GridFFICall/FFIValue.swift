/// One C scalar value, typed: an argument passed by value or a function's return value.
public enum FFIValue: Sendable, Hashable, CustomStringConvertible {
    case int8(Int8)
    case int16(Int16)
    case int32(Int32)
    case int64(Int64)
    case uint8(UInt8)
    case uint16(UInt16)
    case uint32(UInt32)
    case uint64(UInt64)
    case float(Float)
    case double(Double)

    /// The C type of the value.
    public var type: FFIScalarType {
        switch self {
        case .int8: return .int8
        case .int16: return .int16
        case .int32: return .int32
        case .int64: return .int64
        case .uint8: return .uint8
        case .uint16: return .uint16
        case .uint32: return .uint32
        case .uint64: return .uint64
        case .float: return .float
        case .double: return .double
        }
    }

    /// The value of an integer type in `type`, or nil when `value` does not fit it (or `type` is not an integer).
    public static func integer(_ value: Int64, as type: FFIScalarType) -> FFIValue? {
        switch type {
        case .int8: return Int8(exactly: value).map(FFIValue.int8)
        case .int16: return Int16(exactly: value).map(FFIValue.int16)
        case .int32: return Int32(exactly: value).map(FFIValue.int32)
        case .int64: return .int64(value)
        case .uint8: return UInt8(exactly: value).map(FFIValue.uint8)
        case .uint16: return UInt16(exactly: value).map(FFIValue.uint16)
        case .uint32: return UInt32(exactly: value).map(FFIValue.uint32)
        case .uint64: return UInt64(exactly: value).map(FFIValue.uint64)
        case .float, .double: return nil
        }
    }

    /// The value of an unsigned integer in `type`, or nil when it does not fit (or `type` is not an integer).
    public static func integer(_ value: UInt64, as type: FFIScalarType) -> FFIValue? {
        if type == .uint64 { return .uint64(value) }
        guard let signed = Int64(exactly: value) else { return nil }
        return integer(signed, as: type)
    }

    /// The value as a signed 64-bit integer, when it is an integer that fits one.
    public var int64Value: Int64? {
        switch self {
        case .int8(let v): return Int64(v)
        case .int16(let v): return Int64(v)
        case .int32(let v): return Int64(v)
        case .int64(let v): return v
        case .uint8(let v): return Int64(v)
        case .uint16(let v): return Int64(v)
        case .uint32(let v): return Int64(v)
        case .uint64(let v): return Int64(exactly: v)
        case .float, .double: return nil
        }
    }

    /// The value's bits, zero- or sign-extended to 64 bits (floats as their IEEE bit pattern), for encoding.
    var bits: UInt64 {
        switch self {
        case .int8(let v): return UInt64(bitPattern: Int64(v))
        case .int16(let v): return UInt64(bitPattern: Int64(v))
        case .int32(let v): return UInt64(bitPattern: Int64(v))
        case .int64(let v): return UInt64(bitPattern: v)
        case .uint8(let v): return UInt64(v)
        case .uint16(let v): return UInt64(v)
        case .uint32(let v): return UInt64(v)
        case .uint64(let v): return v
        case .float(let v): return UInt64(v.bitPattern)
        case .double(let v): return v.bitPattern
        }
    }

    /// The value of `type` whose bits (as `bits` makes them) are `bits`.
    init(type: FFIScalarType, bits: UInt64) {
        switch type {
        case .int8: self = .int8(Int8(truncatingIfNeeded: bits))
        case .int16: self = .int16(Int16(truncatingIfNeeded: bits))
        case .int32: self = .int32(Int32(truncatingIfNeeded: bits))
        case .int64: self = .int64(Int64(bitPattern: bits))
        case .uint8: self = .uint8(UInt8(truncatingIfNeeded: bits))
        case .uint16: self = .uint16(UInt16(truncatingIfNeeded: bits))
        case .uint32: self = .uint32(UInt32(truncatingIfNeeded: bits))
        case .uint64: self = .uint64(bits)
        case .float: self = .float(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
        case .double: self = .double(Double(bitPattern: bits))
        }
    }

    /// The value as C would print it: decimal integers, shortest round-tripping floating point.
    public var description: String {
        switch self {
        case .int8(let v): return String(v)
        case .int16(let v): return String(v)
        case .int32(let v): return String(v)
        case .int64(let v): return String(v)
        case .uint8(let v): return String(v)
        case .uint16(let v): return String(v)
        case .uint32(let v): return String(v)
        case .uint64(let v): return String(v)
        case .float(let v): return v.description
        case .double(let v): return v.description
        }
    }
}
