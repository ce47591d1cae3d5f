import FuzzSupport
import GridCore
import GridCrypto
@testable import GridNet

/// Fuzzes the handshake state machine three ways (the first input byte chooses):
/// 0, the server fed arbitrary messages; 1, the client fed arbitrary messages after its hello; 2, a real client and
/// server talking, with the input tampering with the messages in transit. Invariants: once finished, a side does
/// nothing but fail; a side that fails says so last; in a conversation, both ends established means nothing was
/// changed, and then they agree on keys and each knows the other.
enum HandshakeHarness {
    static let serverIdentity = Identity.generate()
    static let clientIdentity = Identity.generate()

    static func run(_ input: inout FuzzInput) {
        switch input.byte() % 3 {
        case 0:
            var server = Handshake.server(identity: serverIdentity)
            feed(&server, &input)
        case 1:
            var client = Handshake.client(identity: clientIdentity)
            _ = client.start()
            feed(&client, &input)
        default:
            converse(&input)
        }
    }

    /// Feeds pieces of the input as messages, checking the shape of every answer.
    static func feed(_ handshake: inout Handshake, _ input: inout FuzzInput) {
        var finished = false
        while !input.isEmpty {
            let actions = handshake.receive(input.piece())
            check(actions, finishedBefore: finished)
            finished = handshake.isFinished
        }
    }

    static func check(_ actions: [Handshake.Action], finishedBefore: Bool) {
        for (index, action) in actions.enumerated() {
            switch action {
            case .send:
                fuzzCheck(!finishedBefore, "a finished handshake sent a message")
            case .established:
                fuzzCheck(!finishedBefore, "a finished handshake established a session")
                fuzzCheck(index == actions.count - 1, "established is not the last action")
            case .fail:
                fuzzCheck(index == actions.count - 1, "fail is not the last action")
            }
        }
    }

    /// A client and a server exchanging messages while the input changes some of them.
    static func converse(_ input: inout FuzzInput) {
        var client = Handshake.client(identity: clientIdentity, expectedPeer: serverIdentity.peerID)
        var server = Handshake.server(identity: serverIdentity)
        var toServer: [[UInt8]] = []
        var toClient: [[UInt8]] = []
        var clientSession: Handshake.Session?
        var serverSession: Handshake.Session?
        var tampered = false

        func collect(_ actions: [Handshake.Action], into queue: inout [[UInt8]], session: inout Handshake.Session?) {
            for action in actions {
                if case .send(let message) = action { queue.append(message) }
                if case .established(let established) = action { session = established }
            }
        }
        func tamper(_ message: [UInt8]) -> [UInt8] {
            let how = input.byte()
            var changed = message
            switch how % 4 {
            case 1 where !changed.isEmpty:
                let index = Int(input.byte()) % changed.count
                changed[index] ^= input.byte() | 1
            case 2:
                changed = Array(changed.prefix(Int(input.byte())))
            case 3:
                changed += input.take(Int(input.byte() % 8) + 1)
            default:
                break
            }
            if changed != message { tampered = true }
            return changed
        }

        collect(client.start(), into: &toServer, session: &clientSession)
        var rounds = 0
        while (!toServer.isEmpty || !toClient.isEmpty) && rounds < 8 {
            rounds += 1
            if !toServer.isEmpty {
                let message = tamper(toServer.removeFirst())
                let actions = server.receive(message)
                collect(actions, into: &toClient, session: &serverSession)
            }
            if !toClient.isEmpty {
                let message = tamper(toClient.removeFirst())
                let actions = client.receive(message)
                collect(actions, into: &toServer, session: &clientSession)
            }
        }
        if let clientSession, let serverSession {
            fuzzCheck(!tampered, "both ends established a session over tampered messages")
            fuzzCheck(clientSession.keys.transmit == serverSession.keys.receive
                      && clientSession.keys.receive == serverSession.keys.transmit, "the ends disagree on keys")
            fuzzCheck(clientSession.remotePeer == serverIdentity.peerID, "the client learned the wrong server")
            fuzzCheck(serverSession.remotePeer == clientIdentity.peerID, "the server learned the wrong client")
        } else if !tampered {
            fuzzCheck(false, "an untouched conversation did not establish both ends")
        }
    }

    static func seeds() -> [String: [UInt8]] {
        var client = Handshake.client(identity: clientIdentity)
        var hello: [UInt8] = []
        if case .send(let message)? = client.start().first { hello = message }
        let finish = HandshakeMessage.clientFinish(version: Handshake.protocolVersion,
                                                   signature: [UInt8](repeating: 7, count: 64))
        return [
            "server-hello-then-finish": [0] + FuzzInput.pieces([hello, finish]),
            "server-old-version": [0] + FuzzInput.pieces([HandshakeMessage.header(version: 0, kind: .clientHello)
                                                          + hello.dropFirst(HandshakeMessage.headerLength)]),
            "client-reject": [1] + FuzzInput.pieces([HandshakeMessage.reject(version: 9,
                                                                             reason: .unsupportedVersion)]),
            "client-short-server-hello": [1] + FuzzInput.pieces([Array(hello.prefix(20))]),
            "converse-clean": [2, 0, 0, 0],
            "converse-flip": [2, 0, 1, 40, 0x80, 0],
            "converse-truncate": [2, 2, 50],
        ]
    }
}
