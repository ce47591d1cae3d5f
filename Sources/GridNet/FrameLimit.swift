/// The largest frame a connection accepts right now, shared by its `FrameDecoder` and `SecureChannelHandler`.
///
/// Until the handshake finishes, a frame can only be a handshake message, so anything longer than the longest of
/// them is refused as soon as its length prefix arrives: an unauthenticated peer cannot make the server buffer more.
/// The handler lifts the bound when the handshake succeeds. Both users live on the channel's event loop.
///
/// It also tracks whether a frame is half-received, so the handler can drop a peer that begins a frame and never
/// finishes it (one byte per second): the decoder reports, the handler keeps the deadline.
final class FrameLimit {
    /// The limit once the handshake has finished.
    let maxFrameSize: Int
    /// True until the handshake has finished.
    private(set) var isHandshaking: Bool
    /// How many frames have been begun without arriving whole in one read; numbers the current one.
    private(set) var begunFrames: UInt64 = 0
    /// True while the bytes of an unfinished frame are buffered.
    private(set) var frameInProgress = false
    /// Called with a frame's number when its first bytes are buffered without the rest.
    var onFrameBegun: ((UInt64) -> Void)?

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

    /// The decoder holds part of a frame; the first such report per frame numbers it and calls `onFrameBegun`.
    func partialFrameBuffered() {
        guard !frameInProgress else { return }
        frameInProgress = true
        begunFrames &+= 1
        onFrameBegun?(begunFrames)
    }

    /// The decoder has passed on a whole frame.
    func frameCompleted() {
        frameInProgress = false
    }

    /// True when frame number `frame` is still half-received.
    func isUnfinished(_ frame: UInt64) -> Bool {
        frameInProgress && begunFrames == frame
    }
}
