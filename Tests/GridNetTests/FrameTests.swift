import GridCrypto
import NIOCore
import Testing
@testable import GridNet

/// The length-prefixed frame codec and the per-direction frame cipher.
@Suite struct FrameTests {
    func frame(_ payload: [UInt8]) -> [UInt8] {
        let n = UInt32(payload.count)
        return [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + payload
    }

    /// Feeds `chunks` one by one into the decoder, as separate socket reads would, collecting frames.
    func decode(_ chunks: [[UInt8]], max: Int = 1024) throws -> [[UInt8]] {
        var decoder = FrameDecoder(maxFrameSize: max)
        var buffer = ByteBuffer()
        var frames: [[UInt8]] = []
        for chunk in chunks {
            buffer.writeBytes(chunk)
            while let frame = try decoder.decode(buffer: &buffer) {
                frames.append(Array(frame.readableBytesView))
            }
        }
        return frames
    }

    @Test func frameSplitAcrossReadsIsReassembled() throws {
        let bytes = frame(Array("hello, grid".utf8))
        let frames = try decode(bytes.map { [$0] })
        #expect(frames == [Array("hello, grid".utf8)])
    }

    @Test func severalFramesInOneReadAreSeparated() throws {
        let bytes = frame([1, 2, 3]) + frame([]) + frame([4])
        #expect(try decode([Array(bytes.prefix(9)), Array(bytes.dropFirst(9))]) == [[1, 2, 3], [], [4]])
    }

    @Test func zeroLengthFrameIsAnEmptyPayload() throws {
        #expect(try decode([[0, 0, 0, 0]]) == [[]])
    }

    @Test func incompleteFrameWaitsForMore() throws {
        #expect(try decode([[0, 0, 0, 5, 1, 2]]).isEmpty)
        #expect(try decode([[0, 0]]).isEmpty)
    }

    @Test func frameOfExactlyTheMaximumIsAccepted() throws {
        let payload = [UInt8](repeating: 9, count: 300)
        #expect(try decode([frame(payload)], max: 300) == [payload])
    }

    @Test func lengthAboveTheMaximumIsRejectedBeforeTheBody() throws {
        // Only the 4 length bytes have arrived: the decoder must not wait for (or buffer) the body.
        #expect(throws: NetError.frameTooLarge(size: 301, max: 300)) {
            try decode([[0, 0, 1, 45]], max: 300)
        }
        #expect(throws: NetError.frameTooLarge(size: Int(UInt32.max), max: 300)) {
            try decode([[0xFF, 0xFF, 0xFF, 0xFF]], max: 300)
        }
        let error = NetError.frameTooLarge(size: 301, max: 300)
        #expect(error.description == "A frame of 301 bytes exceeds the maximum frame size of 300 bytes.")
    }

    @Test func encoderWritesABigEndianLengthPrefix() throws {
        var out = ByteBuffer()
        try FrameEncoder(maxFrameSize: 1024).encode(data: ByteBuffer(bytes: [7, 8, 9]), out: &out)
        #expect(Array(out.readableBytesView) == [0, 0, 0, 3, 7, 8, 9])
        #expect(throws: NetError.frameTooLarge(size: 5, max: 4)) {
            var out = ByteBuffer()
            try FrameEncoder(maxFrameSize: 4).encode(data: ByteBuffer(bytes: [1, 2, 3, 4, 5]), out: &out)
        }
    }

    func cipherPair() throws -> (FrameCipher, FrameCipher) {
        let client = KeyExchangeKeyPair.generate()
        let server = KeyExchangeKeyPair.generate()
        return (FrameCipher(keys: try client.clientSessionKeys(serverPublicKey: server.publicKey)),
                FrameCipher(keys: try server.serverSessionKeys(clientPublicKey: client.publicKey)))
    }

    @Test func cipherCountersAdvancePerFrame() throws {
        var (sender, receiver) = try cipherPair()
        for i in 0..<5 {
            let sealed = try sender.seal([UInt8(i)])
            #expect(sealed.count == 1 + FrameCipher.tagLength)
            #expect(try receiver.open(sealed) == [UInt8(i)])
        }
        #expect(sender.sendCounter == 5)
        #expect(receiver.receiveCounter == 5)
    }

    @Test func tamperedFrameFailsToDecrypt() throws {
        var (sender, receiver) = try cipherPair()
        var sealed = try sender.seal(Array("credit 10".utf8))
        sealed[0] ^= 0x01
        #expect(throws: NetError.decryptionFailed) { try receiver.open(sealed) }
    }

    @Test func replayedFrameFailsToDecrypt() throws {
        var (sender, receiver) = try cipherPair()
        let sealed = try sender.seal([1])
        _ = try receiver.open(sealed)
        #expect(throws: NetError.decryptionFailed) { try receiver.open(sealed) }
    }

    @Test func reorderedFramesFailToDecrypt() throws {
        var (sender, receiver) = try cipherPair()
        _ = try sender.seal([1])
        let second = try sender.seal([2])
        #expect(throws: NetError.decryptionFailed) { try receiver.open(second) }
    }

    @Test func frameShorterThanATagFailsToDecrypt() throws {
        var (_, receiver) = try cipherPair()
        #expect(throws: NetError.decryptionFailed) { try receiver.open([]) }
        #expect(throws: NetError.decryptionFailed) { try receiver.open([1, 2, 3]) }
    }

    @Test func aFrameSealedForOneDirectionDoesNotOpenInTheOther() throws {
        var (client, _) = try cipherPair()
        var clientCopy = client
        let sealed = try client.seal([42])
        // The client's own receive key is the server's transmit key, not its own transmit key.
        #expect(throws: NetError.decryptionFailed) { try clientCopy.open(sealed) }
    }
}
