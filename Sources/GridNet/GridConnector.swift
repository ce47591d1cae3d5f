import GridCore
import GridCrypto
import Logging
import NIOCore
import NIOPosix

/// Opens PeerGrid connections: TCP connect, mutual handshake, then a `SecureConnection` for the caller's body.
public enum GridConnector {
    /// Connects to `host:port`, runs the handshake and `body`, and closes the connection when `body` returns.
    ///
    /// With `expectedPeer`, the handshake fails unless the server proves that identity. Throws a `NetError` when
    /// the connection is refused, times out or the handshake fails; errors thrown by `body` pass through.
    /// `body` runs in the caller's isolation (for example on the calling actor).
    public static func connect<R>(
        host: String, port: Int, identity: Identity, expectedPeer: PeerID? = nil,
        configuration: NetConfiguration = NetConfiguration(), logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (SecureConnection) async throws -> R
    ) async throws -> R {
        try configuration.validate()
        let endpoint = Endpoint(host: host, port: port)
        guard (0...65535).contains(port) else {
            throw NetError.connectionFailed(endpoint.description, reason: "the port must be from 0 to 65535")
        }
        let pending: PendingConnection
        do {
            pending = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(TimeAmount(configuration.connectTimeout))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try PendingConnection.configure(
                            channel, handshake: .client(identity: identity, expectedPeer: expectedPeer),
                            remoteAddress: endpoint.description, configuration: configuration, logger: logger)
                    }
                }
        } catch {
            throw NetError.connectionFailed(endpoint.description,
                                            reason: Self.reason(error, connectTimeout: configuration.connectTimeout))
        }
        var logger = logger
        logger[metadataKey: "grid.net.remote"] = "\(endpoint)"
        let peer: PeerID
        do {
            peer = try await pending.awaitHandshake()
        } catch {
            logger.debug("Handshake failed", metadata: ["grid.net.reason": "\(error)"])
            throw error
        }
        let connection = SecureConnection(remotePeer: peer, pending: pending, configuration: configuration)
        let result: R
        do {
            result = try await body(connection)
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
        return result
    }

    /// Connects to `endpoint`; see `connect(host:port:identity:expectedPeer:configuration:logger:_:)`.
    public static func connect<R>(
        to endpoint: Endpoint, identity: Identity, expectedPeer: PeerID? = nil,
        configuration: NetConfiguration = NetConfiguration(), logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (SecureConnection) async throws -> R
    ) async throws -> R {
        try await connect(host: endpoint.host, port: endpoint.port, identity: identity, expectedPeer: expectedPeer,
                          configuration: configuration, logger: logger, isolation: isolation, body)
    }

    /// A short reason for a failed TCP connect: "the connection was refused", "it timed out after 10.0 seconds"
    /// (the `connectTimeout` actually used), or NIO's text.
    static func reason(_ error: any Error, connectTimeout: Duration) -> String {
        let timedOut = "it timed out after \(connectTimeout)"
        if let error = error as? NIOConnectionError {
            if error.connectionErrors.contains(where: { ($0.error as? IOError)?.errnoCode == ECONNREFUSED }) {
                return "the connection was refused"
            }
            if let resolution = error.dnsAError ?? error.dnsAAAAError {
                return "the host name could not be resolved (\(resolution))"
            }
            if error.connectionErrors.contains(where: { Self.isConnectTimeout($0.error) }) {
                return timedOut
            }
        }
        if let error = error as? IOError, error.errnoCode == ECONNREFUSED {
            return "the connection was refused"
        }
        if Self.isConnectTimeout(error) {
            return timedOut
        }
        return String(describing: error)
    }

    private static func isConnectTimeout(_ error: any Error) -> Bool {
        if let error = error as? ChannelError, case .connectTimeout = error { return true }
        return false
    }
}
