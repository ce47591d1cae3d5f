/// Reads what `ByteWriter` wrote, refusing to read past the end.
struct ByteReader {
    private let bytes: [UInt8]
    private var offset = 0
    /// What is being decoded, for error messages ("call plan", "call result").
    private let what: String

    init(_ bytes: [UInt8], what: String) {
        self.bytes = bytes
        self.what = what
    }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func byte() throws(FFIEncodingError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated(what) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func uint32() throws(FFIEncodingError) -> UInt32 {
        var value: UInt32 = 0
        for shift in stride(from: 0, to: 32, by: 8) { value |= UInt32(try byte()) << UInt32(shift) }
        return value
    }

    mutating func uint64() throws(FFIEncodingError) -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 8) { value |= UInt64(try byte()) << UInt64(shift) }
        return value
    }

    /// `count` bytes.
    mutating func raw(_ count: Int) throws(FFIEncodingError) -> [UInt8] {
        guard count <= bytes.count - offset else { throw .truncated(what) }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// A 32-bit length and that many bytes.
    mutating func blob() throws(FFIEncodingError) -> [UInt8] {
        try raw(Int(try uint32()))
    }

    /// A blob that must be non-empty UTF-8 without NUL, named `field` in errors.
    mutating func name(_ field: String) throws(FFIEncodingError) -> String {
        let value = try blob()
        guard !value.isEmpty, !value.contains(0), let text = String(validating: value, as: UTF8.self) else {
            throw .invalid(what, "its \(field) is empty, contains a NUL byte or is not UTF-8")
        }
        return text
    }

    /// Throws unless every byte was read.
    func finish() throws(FFIEncodingError) {
        guard isAtEnd else { throw .invalid(what, "\(bytes.count - offset) bytes follow its end") }
    }
}
