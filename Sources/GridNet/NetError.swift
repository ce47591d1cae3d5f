import GridCore

/// A failure of a PeerGrid connection: connecting, the handshake, framing or encryption.
public struct NetError: Error, CustomStringConvertible, Sendable, Equatable {
    private enum Code: Sendable, Equatable {
        case badEndpoint(text: String, reason: String)
        case invalidConfiguration(reason: String)
        case connectionFailed(endpoint: String, reason: String)
        case bindFailed(endpoint: String, reason: String)
        case handshakeTimedOut(Duration)
        case closedDuringHandshake
        case badMagic
        case badLength(message: String, got: Int, expected: Int)
        case unsupportedVersion(received: UInt16, supported: UInt16)
        case versionRejected(offered: UInt16, peerSpeaks: UInt16)
        case unexpectedMessage(expected: String, type: UInt8)
        case badSignature(of: String)
        case unexpectedPeer(expected: PeerID, actual: PeerID)
        case keyExchangeFailed
        case frameTooLarge(size: Int, max: Int)
        case handshakeFrameTooLarge(size: Int, max: Int)
        case truncatedFrame
        case decryptionFailed
        case counterExhausted
        case notEstablished
        case connectionClosed
        case connectionLost(reason: String)
        case concurrentReceive
        case limitReached(ConnectionLimits.Refusal)
        case serverBusy(fromAddress: Bool)
        case notAllowed(PeerID)
        case idleTimedOut(Duration)
        case frameTimedOut(Duration)
    }

    private let code: Code

    private init(_ code: Code) {
        self.code = code
    }

    /// Text that is not a `host:port` address.
    public static func badEndpoint(_ text: String, reason: String) -> NetError {
        NetError(.badEndpoint(text: text, reason: reason))
    }
    /// A `NetConfiguration` value that cannot work.
    public static func invalidConfiguration(_ reason: String) -> NetError {
        NetError(.invalidConfiguration(reason: reason))
    }
    /// The TCP connection to `endpoint` could not be made (refused, unreachable, timed out).
    public static func connectionFailed(_ endpoint: String, reason: String) -> NetError {
        NetError(.connectionFailed(endpoint: endpoint, reason: reason))
    }
    /// The listener could not bind `endpoint`.
    public static func bindFailed(_ endpoint: String, reason: String) -> NetError {
        NetError(.bindFailed(endpoint: endpoint, reason: reason))
    }
    /// The handshake did not finish within the configured timeout.
    public static func handshakeTimedOut(_ timeout: Duration) -> NetError { NetError(.handshakeTimedOut(timeout)) }
    /// The peer closed the connection before the handshake finished.
    public static let closedDuringHandshake = NetError(.closedDuringHandshake)
    /// A handshake message did not start with the magic `PGRD`.
    public static let badMagic = NetError(.badMagic)
    /// A handshake message had the wrong size.
    public static func badLength(_ message: String, got: Int, expected: Int) -> NetError {
        NetError(.badLength(message: message, got: got, expected: expected))
    }
    /// The peer offered a protocol version this peer does not speak.
    public static func unsupportedVersion(received: UInt16, supported: UInt16) -> NetError {
        NetError(.unsupportedVersion(received: received, supported: supported))
    }
    /// The server refused the protocol version this peer offered.
    public static func versionRejected(offered: UInt16, peerSpeaks: UInt16) -> NetError {
        NetError(.versionRejected(offered: offered, peerSpeaks: peerSpeaks))
    }
    /// A handshake message of the wrong type arrived.
    public static func unexpectedMessage(expected: String, type: UInt8) -> NetError {
        NetError(.unexpectedMessage(expected: expected, type: type))
    }
    /// The `side` ("server" or "client") signed the transcript with a signature that does not verify.
    public static func badSignature(of side: String) -> NetError { NetError(.badSignature(of: side)) }
    /// The server proved a different identity than the one the client asked for.
    public static func unexpectedPeer(expected: PeerID, actual: PeerID) -> NetError {
        NetError(.unexpectedPeer(expected: expected, actual: actual))
    }
    /// The peer's ephemeral key-exchange key was rejected by libsodium.
    public static let keyExchangeFailed = NetError(.keyExchangeFailed)
    /// A frame (received or about to be sent) is larger than the configured maximum.
    public static func frameTooLarge(size: Int, max: Int) -> NetError { NetError(.frameTooLarge(size: size, max: max)) }
    /// Before the handshake finished, the peer announced a frame longer than any handshake message.
    public static func handshakeFrameTooLarge(size: Int, max: Int) -> NetError {
        NetError(.handshakeFrameTooLarge(size: size, max: max))
    }
    /// The peer closed the connection in the middle of a frame.
    public static let truncatedFrame = NetError(.truncatedFrame)
    /// A frame failed authentication.
    public static let decryptionFailed = NetError(.decryptionFailed)
    /// A direction of the connection used up its 2^64 - 1 nonces.
    public static let counterExhausted = NetError(.counterExhausted)
    /// Something tried to send application data before the handshake finished.
    public static let notEstablished = NetError(.notEstablished)
    /// The connection is closed.
    public static let connectionClosed = NetError(.connectionClosed)
    /// The transport failed (reset by the peer, I/O error).
    public static func connectionLost(_ reason: String) -> NetError { NetError(.connectionLost(reason: reason)) }
    /// Two tasks called `receive()` on one connection at the same time.
    public static let concurrentReceive = NetError(.concurrentReceive)
    /// A listener refused a connection because one of its `ConnectionLimits` was reached.
    public static func limitReached(_ refusal: ConnectionLimits.Refusal) -> NetError {
        NetError(.limitReached(refusal))
    }
    /// The server refused this connection during the handshake: too many connections in total or from this address.
    public static func serverBusy(fromAddress: Bool) -> NetError { NetError(.serverBusy(fromAddress: fromAddress)) }
    /// A listener with an allow list closed the connection of a peer not on it (logged; the peer is told nothing).
    public static func notAllowed(_ peer: PeerID) -> NetError { NetError(.notAllowed(peer)) }
    /// A listener closed a connection that sent nothing for `timeout` while nothing was outstanding.
    public static func idleTimedOut(_ timeout: Duration) -> NetError { NetError(.idleTimedOut(timeout)) }
    /// A frame was begun but not finished within `timeout`.
    public static func frameTimedOut(_ timeout: Duration) -> NetError { NetError(.frameTimedOut(timeout)) }

    /// True when a new connection may succeed where this one failed: the peer was not there, went away, or
    /// closed before the handshake finished (a restart). Protocol and security failures are not transient.
    public var isTransient: Bool {
        switch code {
        case .connectionFailed, .connectionClosed, .connectionLost, .closedDuringHandshake, .handshakeTimedOut,
             .serverBusy, .limitReached, .idleTimedOut, .frameTimedOut:
            return true
        default:
            return false
        }
    }

    /// True when the connection could not be opened at all (nothing listens there, or it is unreachable).
    public var isConnectionFailure: Bool {
        if case .connectionFailed = code { return true }
        return false
    }

    /// True when a listener refused the connection because one of its connection limits was reached.
    public var isRefusal: Bool {
        if case .limitReached = code { return true }
        return false
    }

    /// True when the error happened during the handshake (including its timeout).
    public var isHandshakeFailure: Bool {
        switch code {
        case .handshakeTimedOut, .closedDuringHandshake, .badMagic, .badLength, .unsupportedVersion, .versionRejected,
             .unexpectedMessage, .badSignature, .unexpectedPeer, .keyExchangeFailed, .handshakeFrameTooLarge,
             .serverBusy:
            return true
        default:
            return false
        }
    }

    public var description: String {
        switch code {
        case .badEndpoint(let text, let reason):
            return "'\(text)' is not a host:port address: \(reason)."
        case .invalidConfiguration(let reason):
            return "The network configuration is invalid: \(reason)."
        case .connectionFailed(let endpoint, let reason):
            return "Could not connect to \(endpoint): \(reason)."
        case .bindFailed(let endpoint, let reason):
            return "Could not listen on \(endpoint): \(reason)."
        case .handshakeTimedOut(let timeout):
            return "The handshake failed: it did not finish within \(timeout)."
        case .closedDuringHandshake:
            return "The handshake failed: the connection closed before it finished."
        case .badMagic:
            return "The handshake failed: the peer did not start with the magic 'PGRD', so it is not a PeerGrid peer."
        case .badLength(let message, let got, let expected):
            return "The handshake failed: the \(message) has \(got) bytes, expected \(expected)."
        case .unsupportedVersion(let received, let supported):
            return "The handshake failed: the peer speaks protocol version \(received), "
                + "but this peer speaks only version \(supported)."
        case .versionRejected(let offered, let peerSpeaks):
            return "The handshake failed: the server does not speak protocol version \(offered); "
                + "it speaks version \(peerSpeaks)."
        case .unexpectedMessage(let expected, let type):
            return "The handshake failed: expected a \(expected) but received a message of type \(type)."
        case .badSignature(let side):
            return "The handshake failed: the \(side)'s signature over the handshake transcript is invalid."
        case .unexpectedPeer(let expected, let actual):
            return "The handshake failed: the server is peer \(actual), but peer \(expected) was expected."
        case .keyExchangeFailed:
            return "The handshake failed: the peer's key-exchange public key is not valid."
        case .frameTooLarge(let size, let max):
            return "A frame of \(size) bytes exceeds the maximum frame size of \(max) bytes."
        case .handshakeFrameTooLarge(let size, let max):
            return "The handshake failed: the peer announced a frame of \(size) bytes, and no handshake message is "
                + "longer than \(max) bytes."
        case .truncatedFrame:
            return "The peer closed the connection in the middle of a frame."
        case .decryptionFailed:
            return "A frame failed to decrypt: it was altered, replayed, reordered or encrypted with another key."
        case .counterExhausted:
            return "The connection has used all of its 2^64 - 1 frame nonces and must be reopened."
        case .notEstablished:
            return "Cannot send application data before the handshake has finished."
        case .connectionClosed:
            return "The connection is closed."
        case .connectionLost(let reason):
            return "The connection failed: \(reason)."
        case .concurrentReceive:
            return "Two tasks called receive() on one connection at once; read a connection from one task only."
        case .limitReached(.tooManyConnections(let limit)):
            return "The connection was refused: the server already has \(limit) open connections, its limit; "
                + "try again later."
        case .limitReached(.tooManyFromAddress(let limit)):
            return "The connection was refused: the server already has \(limit) open connections from this address, "
                + "its limit; try again later."
        case .limitReached(.tooManyFromPeer(let limit)):
            return "The connection was refused: this peer identity already has \(limit) open connections to the "
                + "server, its limit; close some before opening more."
        case .serverBusy(let fromAddress):
            return "The handshake failed: the server refused the connection because it has too many open connections "
                + (fromAddress ? "from this address" : "in total") + "; try again later."
        case .notAllowed(let peer):
            return "Peer \(peer) is not on the list of allowed peers, so its connection was closed."
        case .idleTimedOut(let timeout):
            return "The connection was closed because the peer sent nothing for \(timeout) while nothing was "
                + "outstanding; workers keep their connection with heartbeats."
        case .frameTimedOut(let timeout):
            return "The connection was closed because the peer began a frame and did not finish it within \(timeout)."
        }
    }
}
