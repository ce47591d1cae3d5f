import GridCore
import Logging
import NIOCore

/// A TCP connection whose pipeline is set up and whose handshake may still be running.
struct PendingConnection: Sendable {
    /// The channel carrying plaintext messages once the handshake has finished.
    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    /// Succeeds with the peer's identity when the handshake finishes, fails with a `NetError` otherwise.
    let handshake: EventLoopFuture<PeerID>
    /// The remote address for logs and errors.
    let remoteAddress: String

    /// Adds the frame codec and the secure channel handler to `channel`; call on its event loop.
    static func configure(
        _ channel: any Channel, handshake: Handshake, remoteAddress: String?, configuration: NetConfiguration,
        logger: Logger
    ) throws -> PendingConnection {
        let remote = remoteAddress ?? channel.remoteAddress.map(Self.describe) ?? "unknown"
        var logger = logger
        logger[metadataKey: "grid.net.remote"] = "\(remote)"
        let promise = channel.eventLoop.makePromise(of: PeerID.self)
        let pipeline = channel.pipeline.syncOperations
        try pipeline.addHandler(ByteToMessageHandler(FrameDecoder(maxFrameSize: configuration.maxFrameSize)))
        try pipeline.addHandler(MessageToByteHandler(FrameEncoder(maxFrameSize: configuration.maxFrameSize)))
        try pipeline.addHandler(SecureChannelHandler(
            handshake: handshake, established: promise, configuration: configuration, logger: logger))
        let asyncChannel = try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
            wrappingChannelSynchronously: channel,
            configuration: .init(inboundType: ByteBuffer.self, outboundType: ByteBuffer.self))
        return PendingConnection(channel: asyncChannel, handshake: promise.futureResult, remoteAddress: remote)
    }

    /// Waits for the handshake; on failure or cancellation closes the connection and throws a `NetError`.
    func awaitHandshake() async throws(NetError) -> PeerID {
        let channel = self.channel.channel
        do {
            return try await withTaskCancellationHandler {
                try await handshake.get()
            } onCancel: {
                channel.close(promise: nil)
            }
        } catch {
            channel.close(promise: nil)
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
