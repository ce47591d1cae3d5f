/// The largest frame a connection accepts right now, shared by its `FrameDecoder` and `SecureChannelHandler`.
///
/// Until the handshake finishes, a frame can only be a handshake message, so anything longer than the longest of
/// them is refused as soon as its length prefix arrives: an unauthenticated peer cannot make the server buffer more.
/// The handler lifts the bound when the handshake succeeds. Both users live on the channel's event loop.
final class FrameLimit {
    /// The limit once the handshake has finished.
    let maxFrameSize: Int
    /// True until the handshake has finished.
    private(set) var isHandshaking: Bool

    /// A limit for a new connection: handshake messages first (`handshaking: true`), or frames up to `maxFrameSize`.
    init(maxFrameSize: Int, handshaking: Bool) {
        self.maxFrameSize = maxFrameSize
        self.isHandshaking = handshaking
    }

    /// The handshake succeeded: frames up to `maxFrameSize` are accepted from now on.
    func handshakeFinished() {
        isHandshaking = false
    }

    /// Throws unless a frame of `length` bytes may follow.
    func check(_ length: Int) throws(NetError) {
        if isHandshaking {
            guard length <= HandshakeMessage.maxLength else {
                throw NetError.handshakeFrameTooLarge(size: length, max: HandshakeMessage.maxLength)
            }
        }
        guard length <= maxFrameSize else { throw NetError.frameTooLarge(size: length, max: maxFrameSize) }
    }
}
