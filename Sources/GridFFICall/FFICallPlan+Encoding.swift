extension FFICallPlan {
    /// "FFIP" and version 1.
    static let header: [UInt8] = [0x46, 0x46, 0x49, 0x50, 1]

    private enum ArgumentTag: UInt8 {
        case value = 1
        case string = 2
        case bytes = 3
        case output = 4
    }

    /// The plan as bytes: a 5-byte header ("FFIP", version 1), then little-endian fields with 32-bit lengths.
    public func encode() -> [UInt8] {
        var writer = ByteWriter()
        writer.raw(Self.header)
        writer.blob(Array(library.utf8))
        writer.blob(Array(symbol.utf8))
        writer.byte(returns?.rawValue ?? 0)
        writer.uint32(UInt32(arguments.count))
        for argument in arguments {
            switch argument {
            case .value(let value):
                writer.byte(ArgumentTag.value.rawValue)
                writer.byte(value.type.rawValue)
                writer.uint64(value.bits)
            case .string(let bytes):
                writer.byte(ArgumentTag.string.rawValue)
                writer.blob(bytes)
            case .bytes(let bytes):
                writer.byte(ArgumentTag.bytes.rawValue)
                writer.blob(bytes)
            case .output(let size):
                writer.byte(ArgumentTag.output.rawValue)
                writer.uint64(UInt64(size))
            }
        }
        return writer.bytes
    }

    /// Decodes what `encode()` wrote; throws on any other bytes, including limits broken (too many arguments,
    /// output buffers over `maximumOutputSize`, NUL inside a string).
    public init(decoding bytes: [UInt8]) throws(FFIEncodingError) {
        let what = "call plan"
        var reader = ByteReader(bytes, what: what)
        guard (try? reader.raw(Self.header.count)) == Self.header else { throw .badHeader(what) }
        library = try reader.name("library")
        symbol = try reader.name("symbol")
        let returnTag = try reader.byte()
        if returnTag == 0 {
            returns = nil
        } else {
            guard let type = FFIScalarType(rawValue: returnTag) else {
                throw .invalid(what, "its return type tag \(returnTag) is unknown")
            }
            returns = type
        }
        let count = try reader.uint32()
        guard count <= Self.maximumArgumentCount else {
            throw .invalid(what, "it has \(count) arguments, more than the \(Self.maximumArgumentCount) allowed")
        }
        arguments = []
        for index in 0..<Int(count) {
            let tag = try reader.byte()
            switch ArgumentTag(rawValue: tag) {
            case .value:
                let typeTag = try reader.byte()
                guard let type = FFIScalarType(rawValue: typeTag) else {
                    throw .invalid(what, "argument \(index) has the unknown type tag \(typeTag)")
                }
                arguments.append(.value(FFIValue(type: type, bits: try reader.uint64())))
            case .string:
                let text = try reader.blob()
                guard !text.contains(0) else { throw .invalid(what, "string argument \(index) contains a NUL byte") }
                arguments.append(.string(text))
            case .bytes:
                arguments.append(.bytes(try reader.blob()))
            case .output:
                let size = try reader.uint64()
                guard size <= UInt64(Self.maximumOutputSize) else {
                    throw .invalid(
                        what, "output argument \(index) asks for \(size) bytes, more than \(Self.maximumOutputSize)")
                }
                arguments.append(.output(size: Int(size)))
            case nil:
                throw .invalid(what, "argument \(index) has the unknown kind tag \(tag)")
            }
        }
        try reader.finish()
    }
}
