import GridCore
import GridCrypto
import Logging
import NIOCore
import NIOPosix

/// Accepts PeerGrid connections on a TCP port and hands each authenticated one to a handler.
///
/// Every accepted connection must finish the handshake within `handshakeTimeout`; failures are logged with the
/// reason and remote address and never reach the handler. One bad peer never stops the listener.
public struct GridListener: Sendable {
    private let serverChannel: NIOAsyncChannel<PendingConnection, Never>
    private let accepted: AcceptedConnections
    private let configuration: NetConfiguration
    private let logger: Logger
    /// The bound port (the real one when binding port 0).
    public let localPort: Int
    /// The bound address.
    public let localEndpoint: Endpoint

    private init(serverChannel: NIOAsyncChannel<PendingConnection, Never>, accepted: AcceptedConnections,
                 localEndpoint: Endpoint, configuration: NetConfiguration, logger: Logger) {
        self.serverChannel = serverChannel
        self.accepted = accepted
        self.localEndpoint = localEndpoint
        self.localPort = localEndpoint.port
        self.configuration = configuration
        self.logger = logger
    }

    /// Binds `host:port` (port 0 picks a free port) and starts accepting connections.
    public static func bind(
        host: String, port: Int, identity: Identity, configuration: NetConfiguration = NetConfiguration(),
        logger: Logger
    ) async throws -> GridListener {
        try configuration.validate()
        let endpoint = Endpoint(host: host, port: port)
        guard (0...65535).contains(port) else {
            throw NetError.bindFailed(endpoint.description, reason: "the port must be from 0 to 65535")
        }
        let accepted = AcceptedConnections()
        let serverChannel: NIOAsyncChannel<PendingConnection, Never>
        do {
            serverChannel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.backlog, value: 256)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .bind(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        accepted.add(channel)
                        return try PendingConnection.configure(
                            channel, handshake: .server(identity: identity), remoteAddress: nil,
                            configuration: configuration, logger: logger)
                    }
                }
        } catch {
            throw NetError.bindFailed(endpoint.description, reason: String(describing: error))
        }
        let boundPort = serverChannel.channel.localAddress?.port ?? port
        let local = Endpoint(host: host, port: boundPort)
        var listenerLogger = logger
        listenerLogger[metadataKey: "grid.net.listen"] = "\(local)"
        return GridListener(serverChannel: serverChannel, accepted: accepted, localEndpoint: local,
                            configuration: configuration, logger: listenerLogger)
    }

    /// Serves connections until the calling task is cancelled, then closes the port and waits for handlers.
    ///
    /// Each connection is handshaken first, then `handler` runs in its own child task. The connection is closed
    /// when the handler returns; errors it throws are logged, not rethrown. Call `serve` once per listener.
    public func serve(_ handler: @escaping @Sendable (SecureConnection) async throws -> Void) async throws {
        let configuration = self.configuration
        let logger = self.logger
        let accepted = self.accepted
        logger.info("Listening")
        do {
            try await withThrowingDiscardingTaskGroup { group in
                try await serverChannel.executeThenClose { inbound in
                    defer { accepted.stop() }
                    for try await pending in inbound {
                        accepted.remove(pending.channel)
                        group.addTask {
                            await Self.handle(pending, handler: handler, configuration: configuration,
                                              logger: logger)
                        }
                    }
                }
            }
        } catch where Task.isCancelled {
            // Cancellation is how serving stops.
        }
        logger.info("Stopped listening")
    }

    /// Closes the listening socket of a listener that is not being served.
    public func close() async {
        accepted.stop()
        try? await serverChannel.channel.close().get()
    }

    private static func handle(
        _ pending: PendingConnection, handler: @Sendable (SecureConnection) async throws -> Void,
        configuration: NetConfiguration, logger: Logger
    ) async {
        var logger = logger
        logger[metadataKey: "grid.net.remote"] = "\(pending.remoteAddress)"
        let peer: PeerID
        do {
            peer = try await pending.awaitHandshake()
        } catch {
            if Task.isCancelled {
                logger.debug("Handshake abandoned because the listener is stopping")
            } else {
                logger.info("Handshake failed", metadata: ["grid.net.reason": "\(error)"])
            }
            return
        }
        logger[metadataKey: "grid.net.peer"] = "\(peer.short)"
        logger.debug("Connection established")
        let connection = SecureConnection(remotePeer: peer, pending: pending, configuration: configuration)
        do {
            do {
                try await handler(connection)
            } catch {
                await connection.close()
                throw error
            }
            await connection.close()
            logger.debug("Connection closed")
        } catch is CancellationError {
            logger.debug("Connection closed because the listener is stopping")
        } catch {
            logger.info("Connection handler failed", metadata: ["grid.net.reason": "\(error)"])
        }
    }
}
