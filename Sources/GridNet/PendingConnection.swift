import GridCore
import Logging
import NIOCore

/// A TCP connection whose pipeline is set up and whose handshake may still be running.
///
/// It holds no `NIOAsyncChannel`, so dropping one that was never served (a listener stopping with accepted
/// connections still queued) is safe; closing its channel is all the clean-up it needs.
struct PendingConnection: Sendable {
    let channel: any Channel
    /// Succeeds with the peer's identity when the handshake finishes, fails with a `NetError` otherwise.
    let handshake: EventLoopFuture<PeerID>
    /// Decrypted messages, filled once the handshake has finished.
    let inbound: InboundQueue
    /// The remote address for logs and errors.
    let remoteAddress: String
    /// How the listener tells the peer why it drops the connection, if it does.
    let farewell: (@Sendable (String) -> [UInt8])?
    /// The connection's logger, with its remote address.
    let logger: Logger
    /// True when the listener closed it on accepting it, past every limit (see `ConnectionLimits.Admission`).
    var wasDropped = false

    /// Adds the frame codec and the secure channel handler to `channel`; call on its event loop.
    ///
    /// Listeners pass their `farewell` and `idleTimeout`; connectors pass neither, and never drop for idleness.
    static func configure(
        _ channel: any Channel, handshake: Handshake, remoteAddress: String?, configuration: NetConfiguration,
        farewell: (@Sendable (String) -> [UInt8])? = nil, idleTimeout: Duration? = nil, logger: Logger
    ) throws -> PendingConnection {
        let remote = remoteAddress ?? channel.remoteAddress.map(Self.describe) ?? "unknown"
        var logger = logger
        logger[metadataKey: "grid.net.remote"] = "\(remote)"
        let promise = channel.eventLoop.makePromise(of: PeerID.self)
        let inbound = InboundQueue(
            highWatermark: configuration.receiveBufferLimit, lowWatermark: configuration.receiveBufferLimit / 4)
        let pipeline = channel.pipeline.syncOperations
        let limit = FrameLimit(maxFrameSize: configuration.maxFrameSize, handshaking: true)
        try pipeline.addHandler(ByteToMessageHandler(FrameDecoder(limit: limit)))
        try pipeline.addHandler(MessageToByteHandler(FrameEncoder(maxFrameSize: configuration.maxFrameSize)))
        try pipeline.addHandler(SecureChannelHandler(
            handshake: handshake, established: promise, inbound: inbound, frameLimit: limit,
            configuration: configuration, farewell: farewell, idleTimeout: idleTimeout, logger: logger))
        return PendingConnection(channel: channel, handshake: promise.futureResult, inbound: inbound,
                                 remoteAddress: remote, farewell: farewell, logger: logger)
    }

    /// Waits for the handshake; on failure closes the connection and throws a `NetError`, or `CancellationError`
    /// when the calling task is cancelled.
    func awaitHandshake() async throws -> PeerID {
        let channel = self.channel
        do {
            return try await withTaskCancellationHandler {
                try await handshake.get()
            } onCancel: {
                channel.close(promise: nil)
            }
        } catch {
            channel.close(promise: nil)
            if Task.isCancelled { throw CancellationError() }
            if let error = error as? NetError { throw error }
            throw NetError.connectionLost(String(describing: error))
        }
    }

    /// `1.2.3.4:5678` or `[::1]:5678`.
    static func describe(_ address: SocketAddress) -> String {
        guard let ip = address.ipAddress, let port = address.port else { return "\(address)" }
        return Endpoint(host: ip, port: port).description
    }
}
