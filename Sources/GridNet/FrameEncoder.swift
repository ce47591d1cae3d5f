import NIOCore

/// Writes a frame: the payload's length as 4 big-endian bytes, then the payload.
struct FrameEncoder: MessageToByteEncoder {
    typealias OutboundIn = ByteBuffer

    let maxFrameSize: Int

    init(maxFrameSize: Int) {
        self.maxFrameSize = maxFrameSize
    }

    func encode(data: ByteBuffer, out: inout ByteBuffer) throws {
        guard data.readableBytes <= maxFrameSize else {
            throw NetError.frameTooLarge(size: data.readableBytes, max: maxFrameSize)
        }
        out.reserveCapacity(FrameDecoder.headerLength + data.readableBytes)
        out.writeInteger(UInt32(data.readableBytes), endianness: .big)
        out.writeImmutableBuffer(data)
    }
}
