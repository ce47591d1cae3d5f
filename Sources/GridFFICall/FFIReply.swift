/// What the process that makes FFI calls sends back for one encoded plan: the result, or why no call was made.
///
/// The runner answers every request with `FFIInvoker.serve(_:)`; the worker reads the answer with
/// `FFIReply(decoding:)`. Both ends agree byte for byte because both use this one type.
public enum FFIReply: Sendable, Hashable {
    case result(FFIRawResult)
    case failure(FFICallError)

    /// "FFIY" and version 1.
    static let header: [UInt8] = [0x46, 0x46, 0x49, 0x59, 1]

    /// The reply as bytes: a 5-byte header ("FFIY", version 1), then tag 1 and an encoded `FFIRawResult`, or tag 2
    /// and the error's fields.
    public func encode() -> [UInt8] {
        var writer = ByteWriter()
        writer.raw(Self.header)
        switch self {
        case .result(let result):
            writer.byte(1)
            writer.raw(result.encode())
        case .failure(let error):
            writer.byte(2)
            error.write(to: &writer)
        }
        return writer.bytes
    }

    /// Decodes what `encode()` wrote; throws on any other bytes.
    public init(decoding bytes: [UInt8]) throws(FFIEncodingError) {
        let what = "call reply"
        var reader = ByteReader(bytes, what: what)
        guard (try? reader.raw(Self.header.count)) == Self.header else { throw .badHeader(what) }
        switch try reader.byte() {
        case 1:
            self = .result(try FFIRawResult(decoding: Array(bytes[(Self.header.count + 1)...])))
        case 2:
            let error = try FFICallError.read(from: &reader)
            try reader.finish()
            self = .failure(error)
        case let tag:
            throw .invalid(what, "its tag \(tag) is unknown")
        }
    }

    /// The result, or the error thrown.
    public func get() throws(FFICallError) -> FFIRawResult {
        switch self {
        case .result(let result): return result
        case .failure(let error): throw error
        }
    }
}
