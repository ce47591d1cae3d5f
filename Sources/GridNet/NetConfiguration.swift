import GridCore

/// Limits and timeouts of PeerGrid connections, shared by listeners and connectors.
///
/// The connection counts, `idleTimeout` and `allowedPeers` apply to listeners only (see docs/security.md).
public struct NetConfiguration: Sendable {
    /// The largest frame payload accepted or sent, in bytes (the 4-byte length prefix is not counted).
    ///
    /// Encrypted frames carry a 16-byte authentication tag, so the largest message is 16 bytes less.
    public var maxFrameSize: Int
    /// How long a connection may take to finish the mutual handshake before it is dropped.
    public var handshakeTimeout: Duration
    /// How long `GridConnector` waits for the TCP connection to be accepted.
    public var connectTimeout: Duration
    /// How long a graceful close waits for queued frames to be written before closing anyway.
    public var closeTimeout: Duration
    /// Decrypted bytes a connection buffers for `receive()` before it stops reading from the socket.
    public var receiveBufferLimit: Int
    /// How long a peer may take to send a frame once its first byte has arrived; a slower one is dropped.
    public var frameTimeout: Duration
    /// A listener's limit on open connections, handshakes included.
    public var maxConnections: Int
    /// A listener's limit on open connections from one IP address.
    public var maxConnectionsPerAddress: Int
    /// A listener's limit on open authenticated connections of one peer identity.
    public var maxConnectionsPerPeer: Int
    /// How long a listener's connection may wait for the peer's next message while nothing is outstanding (the
    /// handler is waiting in `receive()`); nil never closes idle connections. Workers send heartbeats to stay.
    public var idleTimeout: Duration?
    /// When set, a listener keeps only connections whose handshake proved one of these identities; others are
    /// closed right after the handshake, without a word.
    public var allowedPeers: Set<PeerID>?

    /// The smallest `maxFrameSize` allowed: enough for every handshake message.
    public static let minimumFrameSize = 256
    /// The default frame limit: 16 MiB.
    public static let defaultMaxFrameSize = 16 * 1024 * 1024

    public init(
        maxFrameSize: Int = NetConfiguration.defaultMaxFrameSize,
        handshakeTimeout: Duration = .seconds(5),
        connectTimeout: Duration = .seconds(10),
        closeTimeout: Duration = .seconds(5),
        receiveBufferLimit: Int = 4 * 1024 * 1024,
        frameTimeout: Duration = .seconds(30),
        maxConnections: Int = 4096,
        maxConnectionsPerAddress: Int = 512,
        maxConnectionsPerPeer: Int = 64,
        idleTimeout: Duration? = .seconds(120),
        allowedPeers: Set<PeerID>? = nil
    ) {
        self.maxFrameSize = maxFrameSize
        self.handshakeTimeout = handshakeTimeout
        self.connectTimeout = connectTimeout
        self.closeTimeout = closeTimeout
        self.receiveBufferLimit = receiveBufferLimit
        self.frameTimeout = frameTimeout
        self.maxConnections = maxConnections
        self.maxConnectionsPerAddress = maxConnectionsPerAddress
        self.maxConnectionsPerPeer = maxConnectionsPerPeer
        self.idleTimeout = idleTimeout
        self.allowedPeers = allowedPeers
    }

    /// The largest message `SecureConnection.send` accepts under this configuration.
    public var maxMessageSize: Int { maxFrameSize - FrameCipher.tagLength }

    /// Throws a `NetError` naming the first setting that cannot work.
    public func validate() throws(NetError) {
        guard maxFrameSize >= Self.minimumFrameSize, maxFrameSize <= Int(UInt32.max) else {
            throw NetError.invalidConfiguration(
                "maxFrameSize is \(maxFrameSize), it must be from \(Self.minimumFrameSize) to \(UInt32.max) bytes")
        }
        guard handshakeTimeout > .zero else {
            throw NetError.invalidConfiguration("handshakeTimeout must be positive, it is \(handshakeTimeout)")
        }
        guard connectTimeout > .zero else {
            throw NetError.invalidConfiguration("connectTimeout must be positive, it is \(connectTimeout)")
        }
        guard receiveBufferLimit > 0 else {
            throw NetError.invalidConfiguration("receiveBufferLimit must be positive, it is \(receiveBufferLimit)")
        }
        guard closeTimeout >= .zero else {
            throw NetError.invalidConfiguration("closeTimeout must not be negative, it is \(closeTimeout)")
        }
        guard frameTimeout > .zero else {
            throw NetError.invalidConfiguration("frameTimeout must be positive, it is \(frameTimeout)")
        }
        let counts = [("maxConnections", maxConnections), ("maxConnectionsPerAddress", maxConnectionsPerAddress),
                      ("maxConnectionsPerPeer", maxConnectionsPerPeer)]
        for (name, value) in counts where value < 1 {
            throw NetError.invalidConfiguration("\(name) must be at least 1, it is \(value)")
        }
        if let idleTimeout, idleTimeout <= .zero {
            throw NetError.invalidConfiguration("idleTimeout must be positive, it is \(idleTimeout)")
        }
    }
}
