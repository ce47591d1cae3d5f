import GridCore
import NIOCore

/// An established, mutually authenticated and encrypted connection to another peer.
///
/// `send` may be called from several tasks at once; each message goes out as one frame, and `send` returns
/// once its frame has been handed to the operating system. `receive` returns one message at a time and must be
/// called from one task at a time.
public final class SecureConnection: Sendable {
    /// The peer on the other end, proven by its signature during the handshake.
    public let remotePeer: PeerID
    /// The other end's address, `host:port`, for logs.
    public let remoteAddress: String
    /// The largest message `send` accepts.
    public let maxMessageSize: Int

    private let channel: any Channel
    private let inbound: InboundQueue
    private let closeTimeout: Duration

    init(remotePeer: PeerID, pending: PendingConnection, configuration: NetConfiguration) {
        self.remotePeer = remotePeer
        self.remoteAddress = pending.remoteAddress
        self.maxMessageSize = configuration.maxMessageSize
        self.channel = pending.channel
        self.inbound = pending.inbound
        self.closeTimeout = configuration.closeTimeout
    }

    /// Encrypts and sends one message; throws `NetError.frameTooLarge` above `maxMessageSize`.
    public func send(_ payload: [UInt8]) async throws {
        guard payload.count <= maxMessageSize else {
            throw NetError.frameTooLarge(size: payload.count + FrameCipher.tagLength,
                                         max: maxMessageSize + FrameCipher.tagLength)
        }
        do {
            try await channel.writeAndFlush(channel.allocator.buffer(bytes: payload)).get()
        } catch let error as NetError {
            throw error
        } catch {
            throw NetError.connectionClosed
        }
    }

    /// The next decrypted message, or nil once the peer has closed the connection cleanly.
    ///
    /// Throws a `NetError` when the connection fails (for example `decryptionFailed` for a tampered frame), and
    /// `CancellationError` when the calling task is cancelled.
    public func receive() async throws -> [UInt8]? {
        try await inbound.next()
    }

    /// Closes the connection, first letting frames already queued reach the peer (waiting at most `closeTimeout`).
    public func close() async {
        let channel = self.channel
        let deadline = channel.eventLoop.scheduleTask(in: TimeAmount(closeTimeout)) {
            channel.close(promise: nil)
        }
        // Shutting the output down waits for queued writes; the deadline closes fully if the peer does not read.
        try? await channel.close(mode: .output).get()
        deadline.cancel()
        try? await channel.close().get()
    }
}
