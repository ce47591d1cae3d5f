import GridCore
import GridCrypto

/// The mutual handshake of one connection, as a state machine that does no I/O.
///
/// The client sends a hello with its Ed25519 key, an ephemeral `crypto_kx` key and 32 random bytes; the server
/// answers with the same fields and its signature over the transcript; the client finishes with its own
/// signature. Both sides then hold `crypto_kx` session keys. The I/O layer feeds received messages to
/// `receive(_:)` and carries out the returned actions in order. See docs/wire.md for the bytes.
struct Handshake: Sendable {
    /// The only protocol version this build speaks.
    static let protocolVersion: UInt16 = 1

    /// What the I/O layer must do next.
    enum Action: Sendable {
        /// Send this message as one frame.
        case send([UInt8])
        /// The handshake succeeded; switch to encrypted frames.
        case established(Session)
        /// The handshake failed; close the connection (after sending any earlier `send`).
        case fail(NetError)
    }

    /// The outcome of a successful handshake.
    struct Session: Sendable {
        /// The peer whose Ed25519 key signed the transcript.
        let remotePeer: PeerID
        /// Keys for encrypting what this side sends and decrypting what it receives.
        let keys: SessionKeys
    }

    private enum State: Sendable {
        case clientStart
        case clientAwaitingServerHello(clientHello: [UInt8])
        case serverAwaitingClientHello
        /// A server that answers the client hello with a reject saying it is busy, then fails with `error`.
        case serverRefusing(HandshakeMessage.RejectReason, error: NetError)
        case serverAwaitingClientFinish(clientHello: [UInt8], serverHello: [UInt8], clientKey: [UInt8],
                                        keys: SessionKeys)
        case established
        case failed
    }

    private let identity: Identity
    private let exchangeKeys: KeyExchangeKeyPair
    private let random: [UInt8]
    private let expectedPeer: PeerID?
    private let version: UInt16
    private var state: State

    private init(
        identity: Identity, exchangeKeys: KeyExchangeKeyPair, random: [UInt8], expectedPeer: PeerID?,
        version: UInt16, state: State
    ) {
        self.identity = identity
        self.exchangeKeys = exchangeKeys
        self.random = random
        self.expectedPeer = expectedPeer
        self.version = version
        self.state = state
    }

    /// The side that opens the connection; with `expectedPeer`, it fails unless the server proves that identity.
    static func client(
        identity: Identity, expectedPeer: PeerID? = nil, exchangeKeys: KeyExchangeKeyPair = .generate(),
        random: [UInt8] = Digest.randomBytes(HandshakeMessage.randomLength), version: UInt16 = protocolVersion
    ) -> Handshake {
        Handshake(identity: identity, exchangeKeys: exchangeKeys, random: random, expectedPeer: expectedPeer,
                  version: version, state: .clientStart)
    }

    /// The side that accepts the connection.
    static func server(
        identity: Identity, exchangeKeys: KeyExchangeKeyPair = .generate(),
        random: [UInt8] = Digest.randomBytes(HandshakeMessage.randomLength)
    ) -> Handshake {
        Handshake(identity: identity, exchangeKeys: exchangeKeys, random: random, expectedPeer: nil,
                  version: protocolVersion, state: .serverAwaitingClientHello)
    }

    /// A server side that refuses the connection: it answers the client hello with a reject naming `refusal`
    /// (too many connections in total or from the address; nothing else is known before the handshake) and fails
    /// with `NetError.limitReached(refusal)`. No key is signed or exchanged.
    static func refusing(_ refusal: ConnectionLimits.Refusal, identity: Identity) -> Handshake {
        let reason: HandshakeMessage.RejectReason
        switch refusal {
        case .tooManyFromAddress: reason = .tooManyFromAddress
        case .tooManyConnections, .tooManyFromPeer: reason = .tooManyConnections
        }
        return Handshake(identity: identity, exchangeKeys: .generate(), random: [], expectedPeer: nil,
                         version: protocolVersion,
                         state: .serverRefusing(reason, error: NetError.limitReached(refusal)))
    }

    /// True once the handshake has succeeded or failed.
    var isFinished: Bool {
        switch state {
        case .established, .failed: return true
        default: return false
        }
    }

    /// The first actions: the client's hello; nothing for the server, which waits for the client.
    mutating func start() -> [Action] {
        guard case .clientStart = state else { return [] }
        let hello = HandshakeMessage.clientHello(
            version: version, signingKey: identity.keyPair.publicKey, exchangeKey: exchangeKeys.publicKey,
            random: random)
        state = .clientAwaitingServerHello(clientHello: hello)
        return [.send(hello)]
    }

    /// Feeds one received handshake frame and returns what to do next.
    mutating func receive(_ message: [UInt8]) -> [Action] {
        do throws(NetError) {
            switch state {
            case .clientStart:
                throw NetError.unexpectedMessage(expected: "nothing before the client hello", type: message.first ?? 0)
            case .clientAwaitingServerHello(let clientHello):
                return try receiveServerHello(message, clientHello: clientHello)
            case .serverAwaitingClientHello:
                return try receiveClientHello(message)
            case .serverRefusing(let reason, let error):
                state = .failed
                return [.send(HandshakeMessage.reject(version: version, reason: reason)), .fail(error)]
            case .serverAwaitingClientFinish(let clientHello, let serverHello, let clientKey, let keys):
                return try receiveClientFinish(
                    message, clientHello: clientHello, serverHello: serverHello, clientKey: clientKey, keys: keys)
            case .established, .failed:
                throw NetError.unexpectedMessage(expected: "no further handshake message",
                                                 type: message.count > 6 ? message[6] : 0)
            }
        } catch {
            state = .failed
            return [.fail(error)]
        }
    }

    // MARK: Server

    private mutating func receiveClientHello(_ message: [UInt8]) throws(NetError) -> [Action] {
        let expected = HandshakeMessage.clientHelloLength
        let header = try HandshakeMessage.parseHeader(message, expecting: .clientHello, length: expected)
        guard header.version == version else {
            state = .failed
            return [.send(HandshakeMessage.reject(version: version, reason: .unsupportedVersion)),
                    .fail(NetError.unsupportedVersion(received: header.version, supported: version))]
        }
        guard header.type == HandshakeMessage.Kind.clientHello.rawValue else {
            throw NetError.unexpectedMessage(expected: HandshakeMessage.Kind.clientHello.name, type: header.type)
        }
        guard message.count == expected else {
            throw NetError.badLength(HandshakeMessage.Kind.clientHello.name, got: message.count, expected: expected)
        }
        let client = HandshakeMessage.HelloFields(message)
        let keys: SessionKeys
        do {
            keys = try exchangeKeys.serverSessionKeys(clientPublicKey: client.exchangeKey)
        } catch {
            throw NetError.keyExchangeFailed
        }
        let body = HandshakeMessage.serverHelloBody(
            version: version, signingKey: identity.keyPair.publicKey, exchangeKey: exchangeKeys.publicKey,
            random: random)
        let signature = identity.sign(HandshakeMessage.serverSignedMessage(clientHello: message, serverHelloBody: body))
        let serverHello = body + signature
        state = .serverAwaitingClientFinish(clientHello: message, serverHello: serverHello,
                                            clientKey: client.signingKey, keys: keys)
        return [.send(serverHello)]
    }

    private mutating func receiveClientFinish(
        _ message: [UInt8], clientHello: [UInt8], serverHello: [UInt8], clientKey: [UInt8], keys: SessionKeys
    ) throws(NetError) -> [Action] {
        let expected = HandshakeMessage.clientFinishLength
        let header = try HandshakeMessage.parseHeader(message, expecting: .clientFinish, length: expected)
        guard header.version == version else {
            throw NetError.unsupportedVersion(received: header.version, supported: version)
        }
        guard header.type == HandshakeMessage.Kind.clientFinish.rawValue else {
            throw NetError.unexpectedMessage(expected: HandshakeMessage.Kind.clientFinish.name, type: header.type)
        }
        guard message.count == expected else {
            throw NetError.badLength(HandshakeMessage.Kind.clientFinish.name, got: message.count, expected: expected)
        }
        let signature = Array(message[HandshakeMessage.headerLength...])
        let signed = HandshakeMessage.clientSignedMessage(clientHello: clientHello, serverHello: serverHello)
        guard SignatureVerifier.isValid(signature: signature, of: signed, publicKey: clientKey) else {
            throw NetError.badSignature(of: "client")
        }
        state = .established
        return [.established(Session(remotePeer: PeerID(publicKey: clientKey), keys: keys))]
    }

    // MARK: Client

    private mutating func receiveServerHello(_ message: [UInt8], clientHello: [UInt8]) throws(NetError) -> [Action] {
        let expected = HandshakeMessage.serverHelloLength
        let header = try HandshakeMessage.parseHeader(message, expecting: .serverHello, length: expected)
        if header.type == HandshakeMessage.Kind.reject.rawValue {
            guard message.count == HandshakeMessage.rejectLength,
                  let reason = HandshakeMessage.RejectReason(rawValue: message[HandshakeMessage.headerLength])
            else {
                throw NetError.unexpectedMessage(expected: HandshakeMessage.Kind.serverHello.name, type: header.type)
            }
            switch reason {
            case .unsupportedVersion: throw NetError.versionRejected(offered: version, peerSpeaks: header.version)
            case .tooManyConnections: throw NetError.serverBusy(fromAddress: false)
            case .tooManyFromAddress: throw NetError.serverBusy(fromAddress: true)
            }
        }
        guard header.version == version else {
            throw NetError.unsupportedVersion(received: header.version, supported: version)
        }
        guard header.type == HandshakeMessage.Kind.serverHello.rawValue else {
            throw NetError.unexpectedMessage(expected: HandshakeMessage.Kind.serverHello.name, type: header.type)
        }
        guard message.count == expected else {
            throw NetError.badLength(HandshakeMessage.Kind.serverHello.name, got: message.count, expected: expected)
        }
        let server = HandshakeMessage.HelloFields(message)
        let body = Array(message[..<HandshakeMessage.clientHelloLength])
        let signature = Array(message[HandshakeMessage.clientHelloLength...])
        let signed = HandshakeMessage.serverSignedMessage(clientHello: clientHello, serverHelloBody: body)
        guard SignatureVerifier.isValid(signature: signature, of: signed, publicKey: server.signingKey) else {
            throw NetError.badSignature(of: "server")
        }
        let serverPeer = PeerID(publicKey: server.signingKey)
        if let expectedPeer, expectedPeer != serverPeer {
            throw NetError.unexpectedPeer(expected: expectedPeer, actual: serverPeer)
        }
        let keys: SessionKeys
        do {
            keys = try exchangeKeys.clientSessionKeys(serverPublicKey: server.exchangeKey)
        } catch {
            throw NetError.keyExchangeFailed
        }
        let finishSignature = identity.sign(
            HandshakeMessage.clientSignedMessage(clientHello: clientHello, serverHello: message))
        state = .established
        return [.send(HandshakeMessage.clientFinish(version: version, signature: finishSignature)),
                .established(Session(remotePeer: serverPeer, keys: keys))]
    }
}
