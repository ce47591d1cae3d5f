import GridCore
import GridCrypto
import NIOCore
import Testing
@testable import GridNet

/// Ways a peer can misbehave; each must get it disconnected with a logged reason.
enum Misbehaviour: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sendsAnHTTPRequest
    case sendsAnOversizedLengthPrefix
    case announcesA16MiBHello
    case sendsAGarbageFrame
    case offersAnUnknownVersion
    case forgesItsHandshakeSignature
    case staysSilent
    case sendsATamperedFrame
    case replaysAFrame

    var testDescription: String { rawValue }

    /// The log message and a piece of the reason the listener must log.
    var expectedLog: (message: String, reason: String) {
        switch self {
        case .sendsAnHTTPRequest: return ("Handshake failed", "no handshake message is longer than 167 bytes")
        case .sendsAnOversizedLengthPrefix: return ("Handshake failed", "announced a frame of 4294967295 bytes")
        case .announcesA16MiBHello: return ("Handshake failed", "announced a frame of 16777216 bytes")
        case .sendsAGarbageFrame: return ("Handshake failed", "did not start with the magic 'PGRD'")
        case .offersAnUnknownVersion: return ("Handshake failed", "the peer speaks protocol version 2")
        case .forgesItsHandshakeSignature: return ("Handshake failed", "the client's signature")
        case .staysSilent: return ("Handshake failed", "did not finish within")
        case .sendsATamperedFrame, .replaysAFrame: return ("Closing connection", "failed to decrypt")
        }
    }

    /// Plays the bad peer against `port`; returns once the server has dropped the connection.
    func play(port: Int) async throws {
        switch self {
        case .sendsAnHTTPRequest:
            try await sendRaw(Array("GET / HTTP/1.1\r\nHost: grid\r\n\r\n".utf8), port: port)
        case .sendsAnOversizedLengthPrefix:
            // Only the prefix: the server must not wait for 4 GiB of body.
            try await sendRaw([0xFF, 0xFF, 0xFF, 0xFF], port: port)
        case .announcesA16MiBHello:
            // A frame the size the server accepts after the handshake: before it, only the prefix is needed to refuse.
            try await sendRaw([0x01, 0x00, 0x00, 0x00] + Array("PGRD".utf8), port: port)
        case .staysSilent:
            try await sendRaw([], port: port)
        case .sendsAGarbageFrame:
            try await RawClient.connectFramed(port: port).executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(bytes: [UInt8](repeating: 0x42, count: 103)))
                var iterator = inbound.makeAsyncIterator()
                #expect(await RawClient.readUntilClosed(&iterator).isEmpty)
            }
        case .offersAnUnknownVersion:
            try await RawClient.connectFramed(port: port).executeThenClose { inbound, outbound in
                var handshake = Handshake.client(identity: .generate(), version: 2)
                guard case .send(let hello) = handshake.start().first else {
                    throw TestFailure(description: "no hello")
                }
                try await outbound.write(ByteBuffer(bytes: hello))
                var iterator = inbound.makeAsyncIterator()
                let replies = await RawClient.readUntilClosed(&iterator)
                try #require(replies.count == 1)
                guard case .fail(let error) = handshake.receive(replies[0]).first else {
                    throw TestFailure(description: "the reject was not understood")
                }
                #expect(error == NetError.versionRejected(offered: 2, peerSpeaks: 1))
            }
        case .forgesItsHandshakeSignature:
            try await RawClient.connectFramed(port: port).executeThenClose { inbound, outbound in
                var handshake = Handshake.client(identity: .generate())
                guard case .send(let hello) = handshake.start().first else {
                    throw TestFailure(description: "no hello")
                }
                try await outbound.write(ByteBuffer(bytes: hello))
                var iterator = inbound.makeAsyncIterator()
                _ = try await iterator.next()
                let forged = HandshakeMessage.clientFinish(
                    version: Handshake.protocolVersion, signature: [UInt8](repeating: 0x5A, count: 64))
                try await outbound.write(ByteBuffer(bytes: forged))
                #expect(await RawClient.readUntilClosed(&iterator).isEmpty)
            }
        case .sendsATamperedFrame:
            try await RawClient.connectFramed(port: port).executeThenClose { inbound, outbound in
                var iterator = inbound.makeAsyncIterator()
                var cipher = try await handshakeByHand(identity: .generate(), inbound: &iterator, outbound: outbound)
                var sealed = try cipher.seal(Array("pay me 1000 credits".utf8))
                sealed[3] ^= 0x20
                try await outbound.write(ByteBuffer(bytes: sealed))
                #expect(await RawClient.readUntilClosed(&iterator).isEmpty)
            }
        case .replaysAFrame:
            try await RawClient.connectFramed(port: port).executeThenClose { inbound, outbound in
                var iterator = inbound.makeAsyncIterator()
                var cipher = try await handshakeByHand(identity: .generate(), inbound: &iterator, outbound: outbound)
                let sealed = try cipher.seal([7])
                try await outbound.write(ByteBuffer(bytes: sealed))
                let echo = try #require(try await iterator.next())
                #expect(try cipher.open(Array(echo.readableBytesView)) == [7])
                try await outbound.write(ByteBuffer(bytes: sealed))
                #expect(await RawClient.readUntilClosed(&iterator).isEmpty)
            }
        }
    }

    private func sendRaw(_ bytes: [UInt8], port: Int) async throws {
        try await RawClient.connect(port: port).executeThenClose { inbound, outbound in
            if !bytes.isEmpty {
                try await outbound.write(ByteBuffer(bytes: bytes))
            }
            var iterator = inbound.makeAsyncIterator()
            #expect(await RawClient.readUntilClosed(&iterator).isEmpty)
        }
    }
}

/// Misbehaving raw TCP clients are dropped with a logged reason while good clients keep working.
@Suite struct HostileClientTests {
    @Test(arguments: Misbehaviour.allCases)
    func misbehavingPeerIsDroppedWhileAGoodClientKeepsWorking(_ misbehaviour: Misbehaviour) async throws {
        let logs = LogStore()
        var configuration = NetConfiguration()
        if misbehaviour == .staysSilent {
            configuration.handshakeTimeout = .seconds(1)
        } else {
            // Every other peer is cut off by what it sends, well before a handshake would time out.
            configuration.handshakeTimeout = .seconds(60)
        }
        try await withListener(configuration: configuration, logs: logs) { listener in
            let port = listener.localPort
            try await GridConnector.connect(
                host: "127.0.0.1", port: port, identity: .generate(), logger: LogStore().logger
            ) { good in
                try await good.send([1])
                #expect(try await good.receive() == [1])

                try await withDeadline(.seconds(20), "the server dropping the bad peer") {
                    try await misbehaviour.play(port: port)
                }
                let (message, reason) = misbehaviour.expectedLog
                let entry = try await logs.first {
                    $0.message == message && $0.metadata["grid.net.reason"]?.contains(reason) == true
                }
                #expect(entry.metadata["grid.net.remote"]?.hasPrefix("127.0.0.1:") == true)
                #expect(entry.level >= .info)
                // One line per bad peer.
                #expect(logs.all.filter { $0.message == message }.count == 1)

                try await good.send([2])
                #expect(try await good.receive() == [2])
            }
            #expect(try await echoOnce(port: port, [3]) == [3])
        }
    }

    @Test func failedHandshakesNeverReachTheHandler() async throws {
        try await withListener(handler: { _ in Issue.record("a failed handshake reached the handler") }) { listener in
            try await withDeadline(.seconds(20), "the server dropping the bad peer") {
                try await Misbehaviour.sendsAGarbageFrame.play(port: listener.localPort)
                try await Misbehaviour.forgesItsHandshakeSignature.play(port: listener.localPort)
            }
        }
    }

    @Test func tamperedFrameMakesTheServerSideReceiveThrow() async throws {
        let seen = LogStore()
        try await withListener(handler: { connection in
            do {
                _ = try await connection.receive()
                Issue.record("a tampered frame was delivered")
            } catch let error as NetError {
                seen.append(LogEntry(level: .info, message: "receive threw", metadata: ["error": "\(error)"]))
            }
        }) { listener in
            try await Misbehaviour.sendsATamperedFrame.play(port: listener.localPort)
            let entry = try await seen.first { $0.message == "receive threw" }
            #expect(entry.metadata["error"] == NetError.decryptionFailed.description)
        }
    }
}
