import GridCore
import GridCrypto
import Logging
import NIOCore
import NIOPosix

/// Accepts PeerGrid connections on a TCP port and hands each authenticated one to a handler.
///
/// Every accepted connection must finish the handshake within `handshakeTimeout`; failures are logged with the
/// reason and remote address and never reach the handler. One bad peer never stops the listener.
///
/// The configuration's limits are kept here (docs/security.md): connections past `maxConnections` or
/// `maxConnectionsPerAddress` get a reject in place of the server hello; past `maxConnectionsPerPeer`, or idle past
/// `idleTimeout`, or slower than `frameTimeout` to finish a frame, the peer is told why in an encrypted farewell;
/// a peer not in `allowedPeers` is closed right after its handshake with no word. Each is logged in one line.
public struct GridListener: Sendable {
    private let serverChannel: NIOAsyncChannel<PendingConnection, Never>
    private let accepted: AcceptedConnections
    private let admission: ListenerAdmission
    private let configuration: NetConfiguration
    private let logger: Logger
    /// The bound port (the real one when binding port 0).
    public let localPort: Int
    /// The bound address.
    public let localEndpoint: Endpoint

    private init(serverChannel: NIOAsyncChannel<PendingConnection, Never>, accepted: AcceptedConnections,
                 admission: ListenerAdmission, localEndpoint: Endpoint, configuration: NetConfiguration,
                 logger: Logger) {
        self.serverChannel = serverChannel
        self.accepted = accepted
        self.admission = admission
        self.localEndpoint = localEndpoint
        self.localPort = localEndpoint.port
        self.configuration = configuration
        self.logger = logger
    }

    /// Binds `host:port` (port 0 picks a free port) and starts accepting connections.
    ///
    /// `farewell` encodes, in the application's protocol, the sentence telling a peer why its established
    /// connection is being dropped (a limit); without it such peers just see the connection close.
    public static func bind(
        host: String, port: Int, identity: Identity, configuration: NetConfiguration = NetConfiguration(),
        farewell: (@Sendable (String) -> [UInt8])? = nil, logger: Logger
    ) async throws -> GridListener {
        try configuration.validate()
        let endpoint = Endpoint(host: host, port: port)
        guard (0...65535).contains(port) else {
            throw NetError.bindFailed(endpoint.description, reason: "the port must be from 0 to 65535")
        }
        let accepted = AcceptedConnections()
        let admission = ListenerAdmission(limits: ConnectionLimits(configuration))
        let serverChannel: NIOAsyncChannel<PendingConnection, Never>
        do {
            serverChannel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.backlog, value: 256)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .bind(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        accepted.add(channel)
                        let handshake: Handshake
                        switch admission.accept(channel) {
                        case .admitted:
                            handshake = .server(identity: identity)
                        case .refused(let refusal):
                            handshake = .refusing(refusal, identity: identity)
                        case .dropped:
                            // Too many refusals are already being told: close without a word (logged by `handle`).
                            var pending = try PendingConnection.configure(
                                channel, handshake: .refusing(.tooManyConnections(limit: configuration.maxConnections),
                                                              identity: identity),
                                remoteAddress: nil, configuration: configuration, logger: logger)
                            pending.wasDropped = true
                            channel.close(promise: nil)
                            return pending
                        }
                        return try PendingConnection.configure(
                            channel, handshake: handshake, remoteAddress: nil, configuration: configuration,
                            farewell: farewell, idleTimeout: configuration.idleTimeout, logger: logger)
                    }
                }
        } catch {
            throw NetError.bindFailed(endpoint.description, reason: String(describing: error))
        }
        let boundPort = serverChannel.channel.localAddress?.port ?? port
        let local = Endpoint(host: host, port: boundPort)
        var listenerLogger = logger
        listenerLogger[metadataKey: "grid.net.listen"] = "\(local)"
        return GridListener(serverChannel: serverChannel, accepted: accepted, admission: admission,
                            localEndpoint: local, configuration: configuration, logger: listenerLogger)
    }

    /// Serves connections until the calling task is cancelled, then closes the port and waits for handlers.
    ///
    /// Each connection is handshaken first, then `handler` runs in its own child task. The connection is closed
    /// when the handler returns; errors it throws are logged, not rethrown. Call `serve` once per listener.
    public func serve(_ handler: @escaping @Sendable (SecureConnection) async throws -> Void) async throws {
        let configuration = self.configuration
        let logger = self.logger
        let accepted = self.accepted
        let admission = self.admission
        logger.info("Listening")
        do {
            try await withThrowingDiscardingTaskGroup { group in
                try await serverChannel.executeThenClose { inbound in
                    defer { accepted.stop() }
                    for try await pending in inbound {
                        accepted.remove(pending.channel)
                        group.addTask {
                            await Self.handle(pending, handler: handler, admission: admission,
                                              configuration: configuration, logger: logger)
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

    /// The listener's current connection counts (admitted connections, by address and by peer).
    public var connectionCounts: ConnectionLimits { admission.limits }

    private static func handle(
        _ pending: PendingConnection, handler: @Sendable (SecureConnection) async throws -> Void,
        admission: ListenerAdmission, configuration: NetConfiguration, logger: Logger
    ) async {
        var logger = logger
        logger[metadataKey: "grid.net.remote"] = "\(pending.remoteAddress)"
        let peer: PeerID
        do {
            peer = try await pending.awaitHandshake()
        } catch {
            if Task.isCancelled {
                logger.debug("Handshake abandoned because the listener is stopping")
            } else if let error = error as? NetError, error.isRefusal {
                logger.warning("Connection refused", metadata: ["grid.net.reason": "\(error)"])
            } else if pending.wasDropped {
                logger.warning("Connection dropped", metadata: [
                    "grid.net.reason": "too many refused connections are still being told; closed without a word",
                ])
            } else {
                logger.info("Handshake failed", metadata: ["grid.net.reason": "\(error)"])
            }
            return
        }
        logger[metadataKey: "grid.net.peer"] = "\(peer.short)"
        if let allowed = configuration.allowedPeers, !allowed.contains(peer) {
            // The handshake proved who it is; it learns nothing more, not even why.
            logger.warning("Peer not allowed", metadata: ["grid.net.reason": "\(NetError.notAllowed(peer))"])
            try? await pending.channel.close().get()
            return
        }
        let connection = SecureConnection(remotePeer: peer, pending: pending, configuration: configuration)
        if let refusal = admission.authenticated(pending.channel, as: peer) {
            await connection.drop(because: NetError.limitReached(refusal), drain: true)
            return
        }
        logger.debug("Connection established")
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
