extension FFIRawResult {
    /// "FFIR" and version 1.
    static let header: [UInt8] = [0x46, 0x46, 0x49, 0x52, 1]

    /// The result as bytes: a 5-byte header ("FFIR", version 1), the return type tag (0 for void) and value bits,
    /// then the output buffers with 32-bit lengths.
    public func encode() -> [UInt8] {
        var writer = ByteWriter()
        writer.raw(Self.header)
        if let returnValue {
            writer.byte(returnValue.type.rawValue)
            writer.uint64(returnValue.bits)
        } else {
            writer.byte(0)
        }
        writer.uint32(UInt32(outputs.count))
        for output in outputs { writer.blob(output) }
        return writer.bytes
    }

    /// Decodes what `encode()` wrote; throws on any other bytes.
    public init(decoding bytes: [UInt8]) throws(FFIEncodingError) {
        let what = "call result"
        var reader = ByteReader(bytes, what: what)
        guard (try? reader.raw(Self.header.count)) == Self.header else { throw .badHeader(what) }
        let tag = try reader.byte()
        if tag == 0 {
            returnValue = nil
        } else {
            guard let type = FFIScalarType(rawValue: tag) else {
                throw .invalid(what, "its return type tag \(tag) is unknown")
            }
            returnValue = FFIValue(type: type, bits: try reader.uint64())
        }
        let count = try reader.uint32()
        guard count <= FFICallPlan.maximumArgumentCount else {
            throw .invalid(what, "it has \(count) output buffers, more than \(FFICallPlan.maximumArgumentCount)")
        }
        outputs = []
        for _ in 0..<count { outputs.append(try reader.blob()) }
        try reader.finish()
    }
}
