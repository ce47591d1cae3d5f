/// Appends big-endian integers, length-prefixed strings and raw bytes to a buffer.
package struct ByteWriter {
    package var bytes: [UInt8] = []

    package init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    package mutating func u8(_ value: UInt8) {
        bytes.append(value)
    }

    package mutating func u16(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    package mutating func u32(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
        }
    }

    package mutating func u64(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    package mutating func i64(_ value: Int64) {
        u64(UInt64(bitPattern: value))
    }

    package mutating func raw<Bytes: Collection<UInt8>>(_ value: Bytes) {
        bytes.append(contentsOf: value)
    }

    /// A UTF-8 string with a 16-bit length; callers keep strings under 65,536 bytes.
    package mutating func string16(_ value: String) {
        let utf8 = Array(value.utf8)
        u16(UInt16(truncatingIfNeeded: utf8.count))
        raw(utf8)
    }
}

/// Reads what `ByteWriter` wrote, throwing a `LedgerError` that names the field when the bytes run short.
package struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset = 0

    package init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    package var isAtEnd: Bool { offset == bytes.count }
    package var remaining: Int { bytes.count - offset }

    package mutating func raw(_ count: Int, _ field: String) throws(LedgerError) -> [UInt8] {
        guard count >= 0, remaining >= count else {
            throw .malformedEncoding("it ends inside the \(field) (needed \(count) bytes, \(remaining) left)")
        }
        let slice = Array(bytes[offset..<offset + count])
        offset += count
        return slice
    }

    /// Every byte not read yet.
    package mutating func rest() -> [UInt8] {
        let slice = Array(bytes[offset...])
        offset = bytes.count
        return slice
    }

    package mutating func u8(_ field: String) throws(LedgerError) -> UInt8 {
        try raw(1, field)[0]
    }

    package mutating func u16(_ field: String) throws(LedgerError) -> UInt16 {
        let b = try raw(2, field)
        return UInt16(b[0]) << 8 | UInt16(b[1])
    }

    package mutating func u32(_ field: String) throws(LedgerError) -> UInt32 {
        try raw(4, field).reduce(0) { $0 << 8 | UInt32($1) }
    }

    package mutating func u64(_ field: String) throws(LedgerError) -> UInt64 {
        try raw(8, field).reduce(0) { $0 << 8 | UInt64($1) }
    }

    package mutating func i64(_ field: String) throws(LedgerError) -> Int64 {
        Int64(bitPattern: try u64(field))
    }

    package mutating func string16(_ field: String) throws(LedgerError) -> String {
        let length = Int(try u16("length of the \(field)"))
        let utf8 = try raw(length, field)
        guard let text = String(validating: utf8, as: UTF8.self) else {
            throw .malformedEncoding("the \(field) is not valid UTF-8")
        }
        return text
    }

    package func expectEnd(_ what: String) throws(LedgerError) {
        guard isAtEnd else {
            throw .malformedEncoding("\(remaining) unexpected bytes follow the \(what)")
        }
    }
}
