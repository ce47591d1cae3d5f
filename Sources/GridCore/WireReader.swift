import Foundation

/// Reads what `WireWriter` wrote. Every read checks the bounds; a short or malformed field throws a
/// `ProtocolError` naming the message and the field.
struct WireReader {
    private let bytes: [UInt8]
    private(set) var position: Int
    /// The message being read, for errors (`'assign'`).
    let message: String

    init(_ bytes: [UInt8], from position: Int, message: String) {
        self.bytes = bytes
        self.position = position
        self.message = message
    }

    var remaining: Int { bytes.count - position }

    func failure(_ field: String, _ reason: String) -> ProtocolError {
        ProtocolError("the '\(message)' message is malformed: '\(field)' \(reason)")
    }

    private func truncated(_ field: String) -> ProtocolError {
        ProtocolError("the '\(message)' message ends early, in '\(field)'")
    }

    /// Throws unless every byte was read.
    func finish() throws(ProtocolError) {
        guard remaining == 0 else {
            throw ProtocolError("the '\(message)' message has \(remaining) bytes after its end")
        }
    }

    mutating func readUInt8(_ field: @autoclosure () -> String) throws(ProtocolError) -> UInt8 {
        guard position < bytes.count else { throw truncated(field()) }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func readBool(_ field: @autoclosure () -> String) throws(ProtocolError) -> Bool {
        switch try readUInt8(field()) {
        case 0: return false
        case 1: return true
        case let other: throw failure(field(), "is a flag byte of \(other), not 0 or 1")
        }
    }

    mutating func readUInt32(_ field: @autoclosure () -> String) throws(ProtocolError) -> UInt32 {
        guard remaining >= 4 else { throw truncated(field()) }
        var value: UInt32 = 0
        for index in 0..<4 { value = value << 8 | UInt32(bytes[position + index]) }
        position += 4
        return value
    }

    mutating func readInt64(_ field: @autoclosure () -> String) throws(ProtocolError) -> Int64 {
        guard remaining >= 8 else { throw truncated(field()) }
        var value: UInt64 = 0
        for index in 0..<8 { value = value << 8 | UInt64(bytes[position + index]) }
        position += 8
        return Int64(bitPattern: value)
    }

    mutating func readInt(_ field: @autoclosure () -> String) throws(ProtocolError) -> Int {
        Int(try readInt64(field()))
    }

    /// A count of items that each take at least `minimumSize` bytes, checked against what is left before anything
    /// is allocated for them.
    mutating func readCount(_ field: @autoclosure () -> String, minimumSize: Int, limit: Int)
        throws(ProtocolError) -> Int {
        let count = Int(try readUInt32(field()))
        guard count <= limit else { throw failure(field(), "counts \(count) items; the limit is \(limit)") }
        guard count * max(minimumSize, 1) <= remaining else { throw truncated(field()) }
        return count
    }

    mutating func readBytes(_ field: @autoclosure () -> String) throws(ProtocolError) -> ArraySlice<UInt8> {
        let count = Int(try readUInt32(field()))
        guard remaining >= count else { throw truncated(field()) }
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    mutating func readData(_ field: @autoclosure () -> String) throws(ProtocolError) -> Data {
        Data(try readBytes(field()))
    }

    mutating func readString(_ field: @autoclosure () -> String) throws(ProtocolError) -> String {
        let raw = try readBytes(field())
        guard let text = String(validating: raw, as: UTF8.self) else { throw failure(field(), "is not UTF-8") }
        return text
    }

    mutating func readOptional<T>(_ field: @autoclosure () -> String,
                                  _ body: (inout WireReader) throws(ProtocolError) -> T) throws(ProtocolError) -> T? {
        try readBool(field()) ? try body(&self) : nil
    }

    mutating func readOptionalFlag(_ field: @autoclosure () -> String) throws(ProtocolError) -> Bool? {
        switch try readUInt8(field()) {
        case 0: return nil
        case 1: return false
        case 2: return true
        case let other: throw failure(field(), "is an optional flag byte of \(other), not 0, 1 or 2")
        }
    }

    mutating func readPeer(_ field: @autoclosure () -> String) throws(ProtocolError) -> PeerID {
        guard remaining >= 32 else { throw truncated(field()) }
        defer { position += 32 }
        return PeerID(publicKey: Array(bytes[position..<(position + 32)]))
    }

    mutating func readJobID(_ field: @autoclosure () -> String) throws(ProtocolError) -> JobID {
        let text = try readString(field())
        // Run ids (`<job>~<n>`, a run of a redundant job) travel in assignments and outcomes.
        guard let id = JobID(wire: text) else {
            throw failure(field(), "is not a job id (1 to 64 characters of a-z, 0-9 and '-')")
        }
        return id
    }
}
