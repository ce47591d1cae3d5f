import FuzzSupport
@testable import GridNet
import NIOCore

/// Fuzzes `FrameDecoder`: a byte stream cut into chunks, decoded as it arrives, with and without the handshake's
/// smaller limit. Every frame returned must be no larger than the limit, and the frames with their length prefixes
/// must be exactly the bytes consumed.
enum FrameDecoderHarness {
    static let maxFrameSize = 4096

    static func run(_ input: inout FuzzInput) {
        let mode = input.byte()
        let limit = FrameLimit(maxFrameSize: maxFrameSize, handshaking: mode & 1 == 1)
        let chunkSize = Int(input.byte() % 64) + 1
        let stream = input.rest()
        var decoder = FrameDecoder(limit: limit)
        var buffer = ByteBufferAllocator().buffer(capacity: stream.count)
        var frames: [UInt8] = []
        var offset = 0
        decoding: while offset < stream.count {
            let end = min(stream.count, offset + chunkSize)
            buffer.writeBytes(stream[offset..<end])
            offset = end
            if mode & 2 == 2 && offset >= stream.count / 2 {
                limit.handshakeFinished()
            }
            while true {
                let frame: ByteBuffer?
                do {
                    frame = try decoder.decode(buffer: &buffer)
                } catch {
                    break decoding
                }
                guard let frame else { break }
                let bound = limit.isHandshaking ? HandshakeMessage.maxLength : maxFrameSize
                fuzzCheck(frame.readableBytes <= bound, "a frame of \(frame.readableBytes) bytes passed the limit")
                let length = UInt32(frame.readableBytes)
                frames += [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff),
                           UInt8(length & 0xff)]
                frames += frame.getBytes(at: frame.readerIndex, length: frame.readableBytes) ?? []
            }
        }
        let consumed = offset - buffer.readableBytes
        fuzzCheck(frames == Array(stream[0..<consumed]), "the frames are not the bytes consumed")
    }

    static func seeds() -> [String: [UInt8]] {
        func frame(_ body: [UInt8]) -> [UInt8] {
            let n = UInt32(body.count)
            return [UInt8(n >> 24), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)] + body
        }
        return [
            "two-frames": [0, 7] + frame(utf8("hello")) + frame(utf8("world!")),
            "handshake-then-large": [3, 3] + frame([UInt8](repeating: 1, count: 103)) + frame([UInt8](repeating: 2,
                                                                                                    count: 2000)),
            "empty-frame": [0, 1] + frame([]) + frame([9]),
            "too-large": [1, 4] + [0, 0, 0x10, 0x01] + [UInt8](repeating: 0, count: 10),
            "partial": [0, 2] + frame(utf8("abc")).dropLast(),
        ]
    }
}
