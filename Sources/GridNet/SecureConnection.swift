import GridCore
import NIOCore
import Synchronization

/// An established, mutually authenticated and encrypted connection to another peer.
///
/// `send` may be called from several tasks at once; frames go out whole and in the order their sends were
/// accepted. `receive` returns one message at a time and must be called from one task at a time.
public final class SecureConnection: Sendable {
    /// The peer on the other end, proven by its signature during the handshake.
    public let remotePeer: PeerID
    /// The other end's address, `host:port`, for logs.
    public let remoteAddress: String
    /// The largest message `send` accepts.
    public let maxMessageSize: Int

    private let channel: any Channel
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let reader: InboundReader
    private let closeTimeout: Duration

    init(
        remotePeer: PeerID, remoteAddress: String, channel: any Channel,
        inbound: NIOAsyncChannelInboundStream<ByteBuffer>, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        configuration: NetConfiguration
    ) {
        self.remotePeer = remotePeer
        self.remoteAddress = remoteAddress
        self.maxMessageSize = configuration.maxMessageSize
        self.channel = channel
        self.outbound = outbound
        self.reader = InboundReader(inbound)
        self.closeTimeout = configuration.closeTimeout
    }

    /// Encrypts and sends one message; throws `NetError.frameTooLarge` above `maxMessageSize`.
    public func send(_ payload: [UInt8]) async throws {
        guard payload.count <= maxMessageSize else {
            throw NetError.frameTooLarge(size: payload.count + FrameCipher.tagLength,
                                         max: maxMessageSize + FrameCipher.tagLength)
        }
        guard channel.isActive else { throw NetError.connectionClosed }
        do {
            try await outbound.write(channel.allocator.buffer(bytes: payload))
        } catch let error as NetError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw NetError.connectionClosed
        }
    }

    /// The next decrypted message, or nil once the peer has closed the connection cleanly.
    ///
    /// Throws a `NetError` when the connection fails (for example `decryptionFailed` for a tampered frame).
    public func receive() async throws -> [UInt8]? {
        try await reader.next()
    }

    /// Closes the connection after writing what was already sent (waiting at most `closeTimeout`).
    public func close() async {
        outbound.finish()
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

/// Hands out inbound messages to one task at a time.
private final class InboundReader: @unchecked Sendable {
    /// Guards `iterator`: true while a task is inside `next()`.
    private let busy = Mutex(false)
    /// Touched only by the task that set `busy`.
    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator

    init(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>) {
        self.iterator = inbound.makeAsyncIterator()
    }

    func next() async throws -> [UInt8]? {
        let acquired = busy.withLock { busy in
            if busy { return false }
            busy = true
            return true
        }
        guard acquired else { throw NetError.concurrentReceive }
        defer { busy.withLock { $0 = false } }
        do {
            guard let buffer = try await iterator.next() else { return nil }
            return Array(buffer.readableBytesView)
        } catch let error as NetError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw NetError.connectionLost(String(describing: error))
        }
    }
}
