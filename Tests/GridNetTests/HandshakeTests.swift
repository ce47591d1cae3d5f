import GridCore
import GridCrypto
import Testing
@testable import GridNet

/// Drives the pure handshake state machine directly, message by message.
@Suite struct HandshakeTests {
    let clientIdentity = Identity.generate()
    let serverIdentity = Identity.generate()

    /// The messages of one action list that are `.send`.
    func sent(_ actions: [Handshake.Action]) -> [[UInt8]] {
        actions.compactMap { if case .send(let bytes) = $0 { return bytes } else { return nil } }
    }

    func session(_ actions: [Handshake.Action]) -> Handshake.Session? {
        actions.lazy.compactMap { if case .established(let session) = $0 { return session } else { return nil } }.first
    }

    func failure(_ actions: [Handshake.Action]) -> NetError? {
        actions.lazy.compactMap { if case .fail(let error) = $0 { return error } else { return nil } }.first
    }

    /// Runs client hello and server hello; returns both machines and the messages so far.
    func helloExchange(expectedPeer: PeerID? = nil)
        -> (client: Handshake, server: Handshake, clientHello: [UInt8], serverHello: [UInt8])
    {
        var client = Handshake.client(identity: clientIdentity, expectedPeer: expectedPeer)
        var server = Handshake.server(identity: serverIdentity)
        let clientHello = sent(client.start())[0]
        let serverHello = sent(server.receive(clientHello))[0]
        return (client, server, clientHello, serverHello)
    }

    @Test func goodPathAuthenticatesBothSidesAndAgreesOnKeys() throws {
        var (client, server, clientHello, serverHello) = helloExchange()
        #expect(clientHello.count == HandshakeMessage.clientHelloLength)
        #expect(serverHello.count == HandshakeMessage.serverHelloLength)
        #expect(Array(clientHello.prefix(4)) == Array("PGRD".utf8))

        let clientActions = client.receive(serverHello)
        let finish = try #require(sent(clientActions).first)
        #expect(finish.count == HandshakeMessage.clientFinishLength)
        let clientSession = try #require(session(clientActions))
        #expect(clientSession.remotePeer == serverIdentity.peerID)

        let serverActions = server.receive(finish)
        let serverSession = try #require(session(serverActions))
        #expect(serverSession.remotePeer == clientIdentity.peerID)
        #expect(client.isFinished && server.isFinished)

        #expect(clientSession.keys.transmit == serverSession.keys.receive)
        #expect(clientSession.keys.receive == serverSession.keys.transmit)
        #expect(clientSession.keys.transmit != clientSession.keys.receive)

        var clientCipher = FrameCipher(keys: clientSession.keys)
        var serverCipher = FrameCipher(keys: serverSession.keys)
        let sealed = try clientCipher.seal(Array("ping".utf8))
        #expect(try serverCipher.open(sealed) == Array("ping".utf8))
        let reply = try serverCipher.seal(Array("pong".utf8))
        #expect(try clientCipher.open(reply) == Array("pong".utf8))
    }

    @Test func serverDoesNothingUntilTheClientSpeaks() {
        var server = Handshake.server(identity: serverIdentity)
        #expect(server.start().isEmpty)
        #expect(!server.isFinished)
    }

    @Test func expectedPeerThatMatchesIsAccepted() {
        var (client, _, _, serverHello) = helloExchange(expectedPeer: serverIdentity.peerID)
        #expect(session(client.receive(serverHello))?.remotePeer == serverIdentity.peerID)
    }

    @Test func unexpectedServerKeyIsRejected() {
        let other = Identity.generate().peerID
        var (client, _, _, serverHello) = helloExchange(expectedPeer: other)
        let actions = client.receive(serverHello)
        #expect(failure(actions) == NetError.unexpectedPeer(expected: other, actual: serverIdentity.peerID))
        #expect(sent(actions).isEmpty)
        #expect(failure(actions)?.description.contains(other.hex) == true)
    }

    @Test func tamperedServerSignatureIsRejected() {
        var (client, _, _, serverHello) = helloExchange()
        serverHello[serverHello.count - 1] ^= 0x01
        let actions = client.receive(serverHello)
        #expect(failure(actions) == NetError.badSignature(of: "server"))
        #expect(sent(actions).isEmpty)
    }

    @Test func serverHelloForAnotherClientHelloIsRejected() {
        // A server hello recorded from another session does not sign this client's hello and random.
        let (_, _, _, recorded) = helloExchange()
        var (client, _, _, _) = helloExchange()
        #expect(failure(client.receive(recorded)) == NetError.badSignature(of: "server"))
    }

    @Test func tamperedClientSignatureIsRejected() throws {
        var (client, server, _, serverHello) = helloExchange()
        var finish = try #require(sent(client.receive(serverHello)).first)
        finish[HandshakeMessage.headerLength] ^= 0x80
        let actions = server.receive(finish)
        #expect(failure(actions) == NetError.badSignature(of: "client"))
        #expect(session(actions) == nil)
    }

    @Test func clientFinishSignedByAnotherKeyIsRejected() {
        var (_, server, clientHello, serverHello) = helloExchange()
        let impostor = Identity.generate()
        let signature = impostor.sign(
            HandshakeMessage.clientSignedMessage(clientHello: clientHello, serverHello: serverHello))
        let finish = HandshakeMessage.clientFinish(version: Handshake.protocolVersion, signature: signature)
        #expect(failure(server.receive(finish)) == NetError.badSignature(of: "client"))
    }

    @Test func wrongMagicIsRejected() {
        var client = Handshake.client(identity: clientIdentity)
        var hello = sent(client.start())[0]
        hello.replaceSubrange(0..<4, with: Array("HTTP".utf8))
        var server = Handshake.server(identity: serverIdentity)
        let actions = server.receive(hello)
        #expect(failure(actions) == NetError.badMagic)
        #expect(sent(actions).isEmpty)
        #expect(server.isFinished)
    }

    @Test func unknownClientVersionGetsARejectAndAClearError() throws {
        var client = Handshake.client(identity: clientIdentity, version: 2)
        var server = Handshake.server(identity: serverIdentity)
        let serverActions = server.receive(sent(client.start())[0])
        #expect(failure(serverActions) == NetError.unsupportedVersion(received: 2, supported: 1))
        let reject = try #require(sent(serverActions).first)
        #expect(reject == HandshakeMessage.reject(version: 1, reason: .unsupportedVersion))

        let clientError = try #require(failure(client.receive(reject)))
        #expect(clientError == NetError.versionRejected(offered: 2, peerSpeaks: 1))
        #expect(clientError.description.contains("does not speak protocol version 2"))
    }

    @Test func unknownServerVersionIsRejected() {
        var (client, _, _, serverHello) = helloExchange()
        serverHello[4] = 0x01
        serverHello[5] = 0x00
        #expect(failure(client.receive(serverHello)) == NetError.unsupportedVersion(received: 256, supported: 1))
    }

    @Test(arguments: [0, 3, 7, 50, HandshakeMessage.clientHelloLength - 1])
    func truncatedClientHelloIsRejected(length: Int) {
        var client = Handshake.client(identity: clientIdentity)
        let hello = sent(client.start())[0]
        var server = Handshake.server(identity: serverIdentity)
        let error = failure(server.receive(Array(hello.prefix(length))))
        #expect(error == NetError.badLength("client hello", got: length, expected: HandshakeMessage.clientHelloLength))
    }

    @Test func oversizedClientHelloIsRejected() {
        var client = Handshake.client(identity: clientIdentity)
        let hello = sent(client.start())[0] + [0]
        var server = Handshake.server(identity: serverIdentity)
        #expect(failure(server.receive(hello))
            == NetError.badLength("client hello", got: hello.count, expected: HandshakeMessage.clientHelloLength))
    }

    @Test func truncatedServerHelloIsRejected() {
        var (client, _, _, serverHello) = helloExchange()
        let error = failure(client.receive(Array(serverHello.dropLast(10))))
        #expect(error == NetError.badLength("server hello", got: serverHello.count - 10,
                                            expected: HandshakeMessage.serverHelloLength))
    }

    @Test func truncatedClientFinishIsRejected() throws {
        var (client, server, _, serverHello) = helloExchange()
        let finish = try #require(sent(client.receive(serverHello)).first)
        #expect(failure(server.receive(Array(finish.dropLast())))
            == NetError.badLength("client finish", got: finish.count - 1,
                                  expected: HandshakeMessage.clientFinishLength))
    }

    @Test func messageOfTheWrongTypeIsRejected() {
        var server = Handshake.server(identity: serverIdentity)
        let finish = HandshakeMessage.clientFinish(version: 1, signature: [UInt8](repeating: 0, count: 64))
        #expect(failure(server.receive(finish)) == NetError.unexpectedMessage(expected: "client hello", type: 3))
    }

    @Test func invalidKeyExchangeKeyIsRejected() {
        let hello = HandshakeMessage.clientHello(
            version: 1, signingKey: clientIdentity.keyPair.publicKey,
            exchangeKey: [UInt8](repeating: 0, count: 32), random: [UInt8](repeating: 7, count: 32))
        var server = Handshake.server(identity: serverIdentity)
        #expect(failure(server.receive(hello)) == NetError.keyExchangeFailed)
    }

    @Test func nothingIsAcceptedAfterTheHandshake() throws {
        var (client, server, clientHello, serverHello) = helloExchange()
        let finish = try #require(sent(client.receive(serverHello)).first)
        _ = server.receive(finish)
        #expect(failure(server.receive(clientHello)) != nil)
        #expect(failure(client.receive(serverHello)) != nil)
    }

    @Test func everyFailureReadsAsAHandshakeFailure() {
        let errors: [NetError] = [
            .badMagic, .badLength("client hello", got: 1, expected: 103), .badSignature(of: "server"),
            .unsupportedVersion(received: 9, supported: 1), .handshakeTimedOut(.seconds(5)), .keyExchangeFailed,
        ]
        for error in errors {
            #expect(error.isHandshakeFailure)
            #expect(error.description.hasPrefix("The handshake failed: "))
            #expect(error.description.hasSuffix("."))
        }
        #expect(!NetError.decryptionFailed.isHandshakeFailure)
    }
}
