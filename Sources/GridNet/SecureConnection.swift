import GridCore
import Logging
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
    private let farewell: (@Sendable (String) -> [UInt8])?
    private let logger: Logger

    init(remotePeer: PeerID, pending: PendingConnection, configuration: NetConfiguration) {
        self.remotePeer = remotePeer
        self.remoteAddress = pending.remoteAddress
        self.maxMessageSize = configuration.maxMessageSize
        self.channel = pending.channel
        self.inbound = pending.inbound
        self.closeTimeout = configuration.closeTimeout
        self.farewell = pending.farewell
        var logger = pending.logger
        logger[metadataKey: "grid.net.peer"] = "\(remotePeer.short)"
        self.logger = logger
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

    /// Encrypts and sends several messages, each its own frame, with one flush (one system call for all of them when
    /// the socket takes them); returns once the last was handed to the operating system. Nothing is sent when one
    /// of them is larger than `maxMessageSize`.
    public func send(contentsOf payloads: [[UInt8]]) async throws {
        guard payloads.count > 1 else {
            if let payload = payloads.first { try await send(payload) }
            return
        }
        for payload in payloads where payload.count > maxMessageSize {
            throw NetError.frameTooLarge(size: payload.count + FrameCipher.tagLength,
                                         max: maxMessageSize + FrameCipher.tagLength)
        }
        let channel = self.channel
        let written = channel.eventLoop.makePromise(of: Void.self)
        channel.eventLoop.execute {
            for (index, payload) in payloads.enumerated() {
                channel.write(channel.allocator.buffer(bytes: payload),
                              promise: index == payloads.count - 1 ? written : nil)
            }
            channel.flush()
        }
        do {
            try await written.futureResult.get()
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
    ///
    /// On a listener's connection, waiting here is what "nothing outstanding" means: when no message comes within
    /// `NetConfiguration.idleTimeout`, the peer is told why, the connection is closed with one log line, and this
    /// throws `NetError.idleTimedOut`. A handler busy answering a request (a client's `wait`) is not waiting here,
    /// so its peer is never cut for idleness.
    public func receive() async throws -> [UInt8]? {
        try await inbound.next()
    }

    /// Tells the peer why (with the listener's farewell, if any), logs one line and closes.
    ///
    /// With `drain` (a connection no handler reads), the farewell waits for the peer's first message (at most
    /// `closeTimeout`): peers speak first, and a peer whose request meets a closed connection never reads the
    /// farewell. Then what the peer sends is read and discarded until it closes or `closeTimeout` passes, so closing
    /// does not reset the connection before the peer has read the farewell.
    func drop(because error: NetError, drain: Bool) async {
        logger.warning("Closing connection", metadata: ["grid.net.reason": "\(error)"])
        if drain {
            let inbound = self.inbound
            let wait = closeTimeout
            await withTaskGroup(of: Void.self) { group in
                group.addTask { _ = try? await inbound.next() }
                group.addTask { try? await Task.sleep(for: wait) }
                await group.next()
                group.cancelAll()
            }
        }
        if let farewell {
            channel.writeAndFlush(channel.allocator.buffer(bytes: farewell(error.description)), promise: nil)
        }
        guard drain else {
            await close()
            return
        }
        let channel = self.channel
        let deadline = channel.eventLoop.scheduleTask(in: TimeAmount(closeTimeout)) {
            channel.close(promise: nil)
        }
        try? await channel.close(mode: .output).get()
        for _ in 0..<1024 {
            guard (try? await inbound.next()) != nil else { break }
        }
        deadline.cancel()
        try? await channel.close().get()
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
