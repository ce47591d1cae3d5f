import GridCore
import GridCrypto
import Synchronization
import Testing
@testable import GridNet

/// Real TCP on 127.0.0.1: listener, connector and secure connections end to end.
@Suite struct LoopbackTests {
    @Test func echoesMessagesBothWaysAndEachSideKnowsTheOther() async throws {
        let serverIdentity = Identity.generate()
        let clientIdentity = Identity.generate()
        let seenByServer = Mutex<PeerID?>(nil)
        try await withListener(identity: serverIdentity, handler: { connection in
            seenByServer.withLock { $0 = connection.remotePeer }
            try await echoHandler(connection)
        }) { listener in
            #expect(listener.localPort > 0)
            let logs = LogStore()
            let replies = try await GridConnector.connect(
                host: "127.0.0.1", port: listener.localPort, identity: clientIdentity,
                expectedPeer: serverIdentity.peerID, logger: logs.logger
            ) { connection in
                #expect(connection.remotePeer == serverIdentity.peerID)
                var replies: [[UInt8]] = []
                for message in [Array("one".utf8), [], Array("three".utf8), [UInt8](repeating: 0xAB, count: 70_000)] {
                    try await connection.send(message)
                    replies.append(try #require(try await connection.receive()))
                }
                return replies
            }
            #expect(replies == [Array("one".utf8), [], Array("three".utf8), [UInt8](repeating: 0xAB, count: 70_000)])
            #expect(seenByServer.withLock { $0 } == clientIdentity.peerID)
        }
    }

    @Test func concurrentSendsKeepFramesWholeAndCountersInOrder() async throws {
        let count = 64
        try await withListener { listener in
            let received = try await GridConnector.connect(
                host: "127.0.0.1", port: listener.localPort, identity: .generate(), logger: LogStore().logger
            ) { connection in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for i in 0..<count {
                        group.addTask {
                            try await connection.send(Array("message \(i) ".utf8) + [UInt8](repeating: UInt8(i), count: i * 100))
                        }
                    }
                    try await group.waitForAll()
                }
                var replies: Set<[UInt8]> = []
                for _ in 0..<count {
                    replies.insert(try #require(try await connection.receive()))
                }
                return replies
            }
            let expected = Set((0..<count).map { Array("message \($0) ".utf8) + [UInt8](repeating: UInt8($0), count: $0 * 100) })
            #expect(received == expected)
        }
    }

    @Test func serverSendsConcurrentlyToo() async throws {
        let count = 40
        let handler: @Sendable (SecureConnection) async throws -> Void = { connection in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<count {
                    group.addTask { try await connection.send([UInt8(i)]) }
                }
                try await group.waitForAll()
            }
        }
        try await withListener(handler: handler) { listener in
            let received = try await GridConnector.connect(
                host: "127.0.0.1", port: listener.localPort, identity: .generate(), logger: LogStore().logger
            ) { connection in
                var all: [UInt8] = []
                for _ in 0..<(count + 1) {
                    guard let message = try await connection.receive() else { break }
                    all += message
                }
                return all
            }
            // Every message arrives, then the clean close reads as nil.
            #expect(received.sorted() == (0..<count).map { UInt8($0) })
        }
    }

    @Test func serverClosingReadsAsNilOnTheClient() async throws {
        try await withListener(handler: { connection in
            try await connection.send(Array("bye".utf8))
        }) { listener in
            try await GridConnector.connect(
                host: "127.0.0.1", port: listener.localPort, identity: .generate(), logger: LogStore().logger
            ) { connection throws in
                #expect(try await connection.receive() == Array("bye".utf8))
                #expect(try await connection.receive() == nil)
                await #expect(throws: NetError.connectionClosed) { try await connection.send([1]) }
            }
        }
    }

    @Test func messageAboveTheLimitIsRefusedLocallyAndTheConnectionStaysUsable() async throws {
        let configuration = NetConfiguration(maxFrameSize: 1024)
        try await withListener(configuration: configuration) { listener in
            try await GridConnector.connect(
                host: "127.0.0.1", port: listener.localPort, identity: .generate(), configuration: configuration,
                logger: LogStore().logger
            ) { connection in
                #expect(connection.maxMessageSize == 1024 - 16)
                await #expect(throws: NetError.frameTooLarge(size: 1025, max: 1024)) {
                    try await connection.send([UInt8](repeating: 1, count: 1009))
                }
                let largest = [UInt8](repeating: 2, count: 1008)
                try await connection.send(largest)
                #expect(try await connection.receive() == largest)
            }
        }
    }

    @Test func wrongExpectedServerFailsTheConnect() async throws {
        let serverIdentity = Identity.generate()
        let somebodyElse = Identity.generate().peerID
        try await withListener(identity: serverIdentity) { listener throws in
            await #expect(throws: NetError.unexpectedPeer(expected: somebodyElse, actual: serverIdentity.peerID)) {
                try await GridConnector.connect(
                    host: "127.0.0.1", port: listener.localPort, identity: .generate(), expectedPeer: somebodyElse,
                    logger: LogStore().logger
                ) { _ in Issue.record("the body ran for the wrong server") }
            }
            #expect(try await echoOnce(port: listener.localPort, [5]) == [5])
        }
    }

    @Test func refusedConnectionNamesTheAddress() async throws {
        // Bind, note the port, close: nothing listens there any more.
        let listener = try await GridListener.bind(
            host: "127.0.0.1", port: 0, identity: .generate(), logger: LogStore().logger)
        let port = listener.localPort
        await listener.close()
        do {
            try await GridConnector.connect(
                host: "127.0.0.1", port: port, identity: .generate(), logger: LogStore().logger) { _ in }
            Issue.record("connected to a closed port")
        } catch let error as NetError {
            #expect(error == NetError.connectionFailed("127.0.0.1:\(port)", reason: "the connection was refused"))
            #expect(error.description == "Could not connect to 127.0.0.1:\(port): the connection was refused.")
        }
    }

    @Test func bindingAPortInUseNamesTheAddress() async throws {
        try await withListener { listener in
            do {
                _ = try await GridListener.bind(
                    host: "127.0.0.1", port: listener.localPort, identity: .generate(), logger: LogStore().logger)
                Issue.record("bound a port that is in use")
            } catch let error as NetError {
                #expect(error.description.hasPrefix("Could not listen on 127.0.0.1:\(listener.localPort): "))
            }
        }
    }

    @Test func invalidConfigurationIsRejected() async throws {
        await #expect(throws: NetError.self) {
            _ = try await GridListener.bind(
                host: "127.0.0.1", port: 0, identity: .generate(), configuration: NetConfiguration(maxFrameSize: 10),
                logger: LogStore().logger)
        }
        #expect(throws: NetError.self) { try NetConfiguration(handshakeTimeout: .zero).validate() }
        #expect(throws: Never.self) { try NetConfiguration().validate() }
    }

    @Test func handlerErrorsAreLoggedAndTheListenerKeepsServing() async throws {
        struct Boom: Error {}
        let logs = LogStore()
        try await withListener(logs: logs, handler: { connection in
            guard let first = try await connection.receive() else { return }
            if first == [0] { throw Boom() }
            try await connection.send(first)
        }) { listener in
            try await GridConnector.connect(
                host: "127.0.0.1", port: listener.localPort, identity: .generate(), logger: LogStore().logger
            ) { connection in
                try await connection.send([0])
                #expect(try await connection.receive() == nil)
            }
            let entry = try await logs.first { $0.message == "Connection handler failed" }
            #expect(entry.metadata["grid.net.remote"]?.hasPrefix("127.0.0.1:") == true)
            #expect(try await echoOnce(port: listener.localPort, [1, 2]) == [1, 2])
        }
    }

    @Test func cancellingServeStopsTheListener() async throws {
        let listener = try await GridListener.bind(
            host: "127.0.0.1", port: 0, identity: .generate(), logger: LogStore().logger)
        let serving = Task { try await listener.serve(echoHandler) }
        #expect(try await echoOnce(port: listener.localPort, [9]) == [9])
        serving.cancel()
        try await withDeadline(.seconds(10), "serve after cancellation") { try await serving.value }
        await #expect(throws: NetError.self) {
            _ = try await echoOnce(port: listener.localPort, [9])
        }
    }
}
