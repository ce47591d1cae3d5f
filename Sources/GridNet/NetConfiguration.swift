/// Limits and timeouts of PeerGrid connections, shared by listeners and connectors.
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

    /// The smallest `maxFrameSize` allowed: enough for every handshake message.
    public static let minimumFrameSize = 256
    /// The default frame limit: 16 MiB.
    public static let defaultMaxFrameSize = 16 * 1024 * 1024

    public init(
        maxFrameSize: Int = NetConfiguration.defaultMaxFrameSize,
        handshakeTimeout: Duration = .seconds(5),
        connectTimeout: Duration = .seconds(10),
        closeTimeout: Duration = .seconds(5),
        receiveBufferLimit: Int = 4 * 1024 * 1024
    ) {
        self.maxFrameSize = maxFrameSize
        self.handshakeTimeout = handshakeTimeout
        self.connectTimeout = connectTimeout
        self.closeTimeout = closeTimeout
        self.receiveBufferLimit = receiveBufferLimit
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
    }
}
