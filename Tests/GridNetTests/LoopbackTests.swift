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

    /// The `i`th message of the concurrency test: a text header and `i * 100` bytes.
    static func numbered(_ i: Int) -> [UInt8] {
        Array("message \(i) ".utf8) + [UInt8](repeating: UInt8(i), count: i * 100)
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
                            try await connection.send(Self.numbered(i))
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
            #expect(received == Set((0..<count).map(Self.numbered)))
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
        // A socket bound but not listening holds the port (so no test running in parallel can take it) while the
        // kernel refuses every connection to it.
        let reserved = try ReservedPort()
        defer { reserved.release() }
        let port = reserved.port
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

    @Test func slowReaderGetsEveryMessageInOrder() async throws {
        // 24 MiB sent while the client is not reading: the server's sends must wait, not pile up or drop.
        let count = 96
        let size = 256 * 1024
        let handler: @Sendable (SecureConnection) async throws -> Void = { connection in
            for i in 0..<count {
                try await connection.send([UInt8](repeating: UInt8(i), count: size))
            }
        }
        try await withListener(handler: handler) { listener in
            try await GridConnector.connect(
                host: "127.0.0.1", port: listener.localPort, identity: .generate(), logger: LogStore().logger
            ) { connection in
                for i in 0..<count {
                    let message = try #require(try await connection.receive())
                    #expect(message.count == size && message.first == UInt8(i) && message.last == UInt8(i))
                }
                #expect(try await connection.receive() == nil)
            }
        }
    }

    @Test func stoppingWithAcceptedConnectionsQueuedClosesThemWithoutCrashing() async throws {
        // A long handshake timeout: only the listener stopping can close these connections in time.
        let configuration = NetConfiguration(handshakeTimeout: .seconds(600))
        let listener = try await GridListener.bind(
            host: "127.0.0.1", port: 0, identity: .generate(), configuration: configuration,
            logger: LogStore().logger)
        let serving = Task { try await listener.serve(echoHandler) }
        let port = listener.localPort
        try await withDeadline(.seconds(90), "closing queued connections") {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<32 {
                    let client = try await RawClient.connect(port: port)
                    group.addTask {
                        try await client.executeThenClose { inbound, _ in
                            var iterator = inbound.makeAsyncIterator()
                            #expect(await RawClient.readUntilClosed(&iterator).isEmpty)
                        }
                    }
                }
                serving.cancel()
                try await group.waitForAll()
            }
            try await serving.value
        }
    }

    @Test func readingPausesWhileTheReceiverLagsAndResumesWhenItCatchesUp() async throws {
        let count = 64
        let (allSent, sentSignal) = AsyncStream.makeStream(of: Void.self)
        let handler: @Sendable (SecureConnection) async throws -> Void = { connection in
            for i in 0..<count {
                try await connection.send([UInt8](repeating: UInt8(i), count: 1024))
            }
            sentSignal.yield()
            _ = try await connection.receive()
        }
        try await withListener(handler: handler) { listener in
            try await GridConnector.connect(
                host: "127.0.0.1", port: listener.localPort, identity: .generate(),
                configuration: NetConfiguration(receiveBufferLimit: 4096), logger: LogStore().logger
            ) { connection throws in
                // Read nothing until the server has written everything: the client buffers 4 KiB and pauses.
                for await _ in allSent { break }
                for i in 0..<count {
                    #expect(try await connection.receive() == [UInt8](repeating: UInt8(i), count: 1024))
                }
            }
        }
    }

    @Test func connectBodyRunsOnTheCallingActor() async throws {
        try await withListener { listener in
            let tally = EchoTally()
            try await tally.echo(port: listener.localPort, times: 3)
            #expect(await tally.replies == 3)
        }
    }
}

/// An actor whose connect body touches its own state directly.
actor EchoTally {
    var replies = 0

    func echo(port: Int, times: Int) async throws {
        try await GridConnector.connect(
            to: Endpoint(host: "127.0.0.1", port: port), identity: .generate(), logger: LogStore().logger
        ) { connection in
            for i in 0..<times {
                try await connection.send([UInt8(i)])
                if try await connection.receive() == [UInt8(i)] {
                    replies += 1
                }
            }
        }
    }
}
