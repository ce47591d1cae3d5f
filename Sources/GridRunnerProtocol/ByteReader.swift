/// Reads what `ByteWriter` wrote; every read checks the bounds and throws `RunnerProtocolError` when short.
public struct ByteReader: Sendable {
    private let bytes: [UInt8]
    private var position: Int

    public init(_ bytes: [UInt8], from position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    /// Whether every byte was read.
    public var isAtEnd: Bool { position == bytes.count }

    public mutating func readUInt8() throws(RunnerProtocolError) -> UInt8 {
        guard position < bytes.count else { throw .truncated }
        defer { position += 1 }
        return bytes[position]
    }

    public mutating func readBool() throws(RunnerProtocolError) -> Bool {
        switch try readUInt8() {
        case 0: return false
        case 1: return true
        case let other: throw .malformed("a flag byte is \(other), not 0 or 1")
        }
    }

    public mutating func readUInt32() throws(RunnerProtocolError) -> UInt32 {
        guard bytes.count - position >= 4 else { throw .truncated }
        var value: UInt32 = 0
        for index in 0..<4 { value |= UInt32(bytes[position + index]) << (8 * index) }
        position += 4
        return value
    }

    public mutating func readInt32() throws(RunnerProtocolError) -> Int32 {
        Int32(bitPattern: try readUInt32())
    }

    public mutating func readUInt64() throws(RunnerProtocolError) -> UInt64 {
        guard bytes.count - position >= 8 else { throw .truncated }
        var value: UInt64 = 0
        for index in 0..<8 { value |= UInt64(bytes[position + index]) << (8 * index) }
        position += 8
        return value
    }

    public mutating func readBytes() throws(RunnerProtocolError) -> [UInt8] {
        let count = Int(try readUInt32())
        guard bytes.count - position >= count else { throw .truncated }
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    public mutating func readOptionalBytes() throws(RunnerProtocolError) -> [UInt8]? {
        try readBool() ? try readBytes() : nil
    }

    public mutating func readString() throws(RunnerProtocolError) -> String {
        let raw = try readBytes()
        guard let text = String(validating: raw, as: UTF8.self) else { throw .malformed("a text is not UTF-8") }
        return text
    }
}
