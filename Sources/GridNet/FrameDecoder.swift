import NIOCore

/// Splits a byte stream into frames: a 4-byte big-endian length, then that many payload bytes.
///
/// A length above the limit is rejected as soon as the 4 length bytes arrive, before any of the body is buffered:
/// by throwing `NetError.handshakeFrameTooLarge` while the handshake runs (see `FrameLimit`), and
/// `NetError.frameTooLarge` afterwards. It tells `limit` when a frame is half-received, for the frame deadline.
struct FrameDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    /// The size of the length prefix.
    static let headerLength = 4

    let limit: FrameLimit

    /// A decoder whose limit `limit` sets (and the connection's handler lifts after the handshake).
    init(limit: FrameLimit) {
        self.limit = limit
    }

    /// A decoder for frames up to `maxFrameSize`, with no handshake phase.
    init(maxFrameSize: Int) {
        self.init(limit: FrameLimit(maxFrameSize: maxFrameSize, handshaking: false))
    }

    /// Returns the next whole frame's payload, or nil when more bytes are needed.
    mutating func decode(buffer: inout ByteBuffer) throws -> ByteBuffer? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: UInt32.self) else {
            if buffer.readableBytes > 0 { limit.partialFrameBuffered() }
            return nil
        }
        try limit.check(Int(length))
        guard buffer.readableBytes >= Self.headerLength + Int(length) else {
            limit.partialFrameBuffered()
            return nil
        }
        limit.frameCompleted()
        buffer.moveReaderIndex(forwardBy: Self.headerLength)
        return buffer.readSlice(length: Int(length))
    }

    /// At end of stream, returns what whole frames remain; a partial frame left over is reported by NIO.
    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ByteBuffer? {
        try decode(buffer: &buffer)
    }
}
