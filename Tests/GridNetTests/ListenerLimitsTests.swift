import GridCore
import GridCrypto
import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import GridNet

/// A listener's limits on real connections over 127.0.0.1: each refusal or drop tells the peer why (a reject before
/// the handshake, an encrypted farewell after it), logs one line, and leaves honest peers served.
@Suite struct ListenerLimitsTests {
    /// The farewell these tests give listeners: the sentence itself.
    static let farewell: @Sendable (String) -> [UInt8] = { Array($0.utf8) }

    @Test(arguments: [(ConnectionLimits.Refusal.tooManyConnections(limit: 9), false),
                      (.tooManyFromAddress(limit: 3), true)])
    func aRefusingServerAnswersTheHelloWithABusyRejectAndSignsNothing(
        _ refusal: ConnectionLimits.Refusal, fromAddress: Bool
    ) throws {
        var client = Handshake.client(identity: .generate())
        var server = Handshake.refusing(refusal, identity: .generate())
        guard case .send(let hello) = client.start().first else { throw TestFailure(description: "no hello") }
        let actions = server.receive(hello)
        try #require(actions.count == 2)
        guard case .send(let reject) = actions[0], case .fail(let serverError) = actions[1] else {
            throw TestFailure(description: "expected a reject and a failure, got \(actions)")
        }
        #expect(reject.count == HandshakeMessage.rejectLength)
        #expect(serverError == NetError.limitReached(refusal))
        guard case .fail(let clientError) = client.receive(reject).first else {
            throw TestFailure(description: "the client did not fail on the reject")
        }
        #expect(clientError == NetError.serverBusy(fromAddress: fromAddress))
        #expect(clientError.isTransient && clientError.isHandshakeFailure)
    }

    @Test func pastTheTotalLimitTheNextConnectionIsRefusedDuringTheHandshake() async throws {
        let logs = LogStore()
        var configuration = NetConfiguration()
        configuration.maxConnections = 2
        try await withLimitedListener(configuration: configuration, logs: logs) { listener in
            let port = listener.localPort
            try await whileHolding(2, port: port, identity: { _ in .generate() }) {
                await #expect(throws: NetError.serverBusy(fromAddress: false)) {
                    try await echoOnce(port: port, [1])
                }
                let entry = try await logs.first { $0.message == "Connection refused" }
                #expect(entry.metadata["grid.net.reason"]?.contains("already has 2 open connections") == true)
                #expect(logs.all.filter { $0.message == "Connection refused" }.count == 1)
            }
            // Once they close, there is room again.
            try await poll("the held connections to be released") { listener.connectionCounts.isEmpty }
            #expect(try await echoOnce(port: port, [2]) == [2])
        }
    }

    @Test func pastSixtyFourRefusalsBeingToldFurtherConnectionsAreClosedAtOnce() async throws {
        let logs = LogStore()
        var configuration = NetConfiguration()
        configuration.maxConnections = 1
        configuration.handshakeTimeout = .seconds(30)
        try await withLimitedListener(configuration: configuration, logs: logs) { listener in
            let port = listener.localPort
            try await whileHolding(1, port: port, identity: { _ in .generate() }) {
                // Silent peers never send the hello their refusal answers, so 64 refusals stay pending.
                var silent: [NIOAsyncChannel<ByteBuffer, ByteBuffer>] = []
                for _ in 0..<70 { silent.append(try await RawClient.connect(port: port)) }
                try await poll("six connections to be dropped") {
                    logs.all.filter { $0.message == "Connection dropped" }.count == 6
                }
                #expect(listener.connectionCounts.refusing == 64)
                #expect(listener.connectionCounts.total == 1)
                for channel in silent { try? await channel.channel.close() }
                try await poll("the refusals to be released") { listener.connectionCounts.refusing == 0 }
            }
        }
    }

    @Test func pastThePerAddressLimitTheNextConnectionIsRefused() async throws {
        let logs = LogStore()
        var configuration = NetConfiguration()
        configuration.maxConnectionsPerAddress = 3
        try await withLimitedListener(configuration: configuration, logs: logs) { listener in
            let port = listener.localPort
            try await whileHolding(3, port: port, identity: { _ in .generate() }) {
                #expect(listener.connectionCounts.connections(from: "127.0.0.1") == 3)
                await #expect(throws: NetError.serverBusy(fromAddress: true)) {
                    try await echoOnce(port: port, [1])
                }
                let entry = try await logs.first { $0.message == "Connection refused" }
                #expect(entry.metadata["grid.net.reason"]?.contains("from this address") == true)
            }
            try await poll("the held connections to be released") { listener.connectionCounts.isEmpty }
        }
    }

    @Test func pastThePerPeerLimitThePeerIsToldWhyAndOthersAreServed() async throws {
        let logs = LogStore()
        var configuration = NetConfiguration()
        configuration.maxConnectionsPerPeer = 2
        let greedy = Identity.generate()
        try await withLimitedListener(configuration: configuration, logs: logs) { listener in
            let port = listener.localPort
            try await whileHolding(2, port: port, identity: { _ in greedy }) {
                let answer = try await GridConnector.connect(
                    host: "127.0.0.1", port: port, identity: greedy, logger: LogStore().logger
                ) { connection -> String in
                    // A request first, as clients do: the farewell is its answer.
                    try await connection.send([1])
                    let farewell = try #require(try await connection.receive())
                    #expect(try await closedWithoutMore(connection))
                    return String(decoding: farewell, as: UTF8.self)
                }
                #expect(answer == NetError.limitReached(.tooManyFromPeer(limit: 2)).description)
                #expect(answer.contains("this peer identity already has 2 open connections"))
                let entry = try await logs.first { $0.message == "Closing connection" }
                #expect(entry.metadata["grid.net.reason"] == answer)
                #expect(entry.metadata["grid.net.peer"] == greedy.peerID.short)
                // Another identity from the same address is served.
                #expect(try await echoOnce(port: port, [2]) == [2])
                #expect(listener.connectionCounts.connections(of: greedy.peerID) == 2)
            }
            try await poll("the held connections to be released") { listener.connectionCounts.isEmpty }
        }
    }

    @Test func anIdleConnectionIsToldWhyAndClosed() async throws {
        let logs = LogStore()
        var configuration = NetConfiguration()
        configuration.idleTimeout = .milliseconds(500)
        try await withLimitedListener(configuration: configuration, logs: logs) { listener in
            let started = ContinuousClock.now
            let farewell = try await GridConnector.connect(
                host: "127.0.0.1", port: listener.localPort, identity: .generate(), logger: LogStore().logger
            ) { connection -> String in
                // One exchange, then nothing.
                try await connection.send([1])
                #expect(try await connection.receive() == [1])
                let farewell = try #require(try await connection.receive())
                #expect(try await closedWithoutMore(connection))
                return String(decoding: farewell, as: UTF8.self)
            }
            #expect(farewell == NetError.idleTimedOut(.milliseconds(500)).description)
            #expect(ContinuousClock.now - started < .seconds(30))
            let entry = try await logs.first { $0.message == "Closing connection" }
            #expect(entry.metadata["grid.net.reason"]?.contains("sent nothing for 0.5 seconds") == true)
            try await poll("the idle connection to be released") { listener.connectionCounts.isEmpty }
        }
    }

    @Test func aPeerWaitingForAnAnswerIsNotIdle() async throws {
        var configuration = NetConfiguration()
        configuration.idleTimeout = .milliseconds(300)
        // The handler takes five idle timeouts to answer, as a matchmaker serving a client's `wait` would.
        let slowAnswer: @Sendable (SecureConnection) async throws -> Void = { connection in
            while let request = try await connection.receive() {
                try await Task.sleep(for: .milliseconds(1500))
                try await connection.send(request)
            }
        }
        try await withLimitedListener(configuration: configuration, handler: slowAnswer) { listener in
            try await GridConnector.connect(
                host: "127.0.0.1", port: listener.localPort, identity: .generate(), logger: LogStore().logger
            ) { connection in
                try await connection.send([7])
                #expect(try await connection.receive() == [7])
            }
        }
    }

    @Test func aConnectorNeverDropsForIdleness() async throws {
        // The client side waits as long as the server takes, whatever the configuration says.
        let configuration = NetConfiguration(idleTimeout: .milliseconds(200))
        let slowAnswer: @Sendable (SecureConnection) async throws -> Void = { connection in
            if let request = try await connection.receive() {
                try await Task.sleep(for: .milliseconds(800))
                try await connection.send(request)
            }
        }
        try await withLimitedListener(handler: slowAnswer) { listener in
            try await GridConnector.connect(
                host: "127.0.0.1", port: listener.localPort, identity: .generate(), configuration: configuration,
                logger: LogStore().logger
            ) { connection in
                try await connection.send([8])
                #expect(try await connection.receive() == [8])
            }
        }
    }

    @Test func aSlowLorisAfterTheHandshakeIsDroppedAndToldWhy() async throws {
        let logs = LogStore()
        var configuration = NetConfiguration()
        configuration.frameTimeout = .seconds(1)
        try await withLimitedListener(configuration: configuration, logs: logs) { listener in
            let started = ContinuousClock.now
            let channel = try await SlowClient.connect(port: listener.localPort)
            try await channel.executeThenClose { inbound, outbound in
                var iterator = inbound.makeAsyncIterator()
                var cipher = try await handshakeByHand(identity: .generate(), inbound: &iterator, outbound: outbound)
                try await channel.channel.pipeline.removeHandler(name: SlowClient.encoderName).get()
                // A frame of 100 bytes announced, then one byte every 200 ms: at most 60 bytes (12 s).
                try await outbound.write(ByteBuffer(bytes: [0, 0, 0, 100]))
                let sender = Task {
                    for _ in 0..<60 {
                        try await Task.sleep(for: .milliseconds(200))
                        try await outbound.write(ByteBuffer(bytes: [0x41]))
                    }
                }
                defer { sender.cancel() }
                let frames = await RawClient.readUntilClosed(&iterator, limit: 4)
                try #require(frames.count == 1)
                let farewell = String(decoding: try cipher.open(frames[0]), as: UTF8.self)
                #expect(farewell == NetError.frameTimedOut(.seconds(1)).description)
            }
            // The log names the frame deadline; the time only shows nothing else (no other timeout) was waited for.
            #expect(ContinuousClock.now - started < .seconds(30))
            let entry = try await logs.first { $0.message == "Closing connection" }
            #expect(entry.metadata["grid.net.reason"]?.contains("did not finish it within 1.0 seconds") == true)
            #expect(try await echoOnce(port: listener.localPort, [3]) == [3])
        }
    }

    @Test func aSlowLorisDuringTheHandshakeIsDroppedBeforeTheHandshakeTimeout() async throws {
        let logs = LogStore()
        var configuration = NetConfiguration()
        configuration.frameTimeout = .seconds(1)
        configuration.handshakeTimeout = .seconds(60)
        try await withLimitedListener(configuration: configuration, logs: logs) { listener in
            let started = ContinuousClock.now
            try await RawClient.connect(port: listener.localPort).executeThenClose { inbound, outbound in
                var hello = Handshake.client(identity: .generate())
                guard case .send(let bytes) = hello.start().first else { throw TestFailure(description: "no hello") }
                let framed = [0, 0, 0, UInt8(bytes.count)] + bytes
                let sender = Task {
                    for byte in framed.prefix(60) {
                        try await outbound.write(ByteBuffer(bytes: [byte]))
                        try await Task.sleep(for: .milliseconds(200))
                    }
                }
                defer { sender.cancel() }
                var iterator = inbound.makeAsyncIterator()
                #expect(await RawClient.readUntilClosed(&iterator).isEmpty)
            }
            // Well before the 60 s handshake timeout, even on a loaded machine; the log names the frame deadline.
            #expect(ContinuousClock.now - started < .seconds(30))
            let entry = try await logs.first { $0.message == "Handshake failed" }
            #expect(entry.metadata["grid.net.reason"]?.contains("did not finish it within 1.0 seconds") == true)
        }
    }

    @Test func aPeerNotOnTheAllowListIsClosedAfterItsHandshakeAndLearnsNothing() async throws {
        let logs = LogStore()
        let alice = Identity.generate()
        let mallory = Identity.generate()
        var configuration = NetConfiguration()
        configuration.allowedPeers = [alice.peerID]
        let served = Mutex<[PeerID]>([])
        let recordingEcho: @Sendable (SecureConnection) async throws -> Void = { connection in
            served.withLock { $0.append(connection.remotePeer) }
            try await echoHandler(connection)
        }
        try await withLimitedListener(configuration: configuration, logs: logs, handler: recordingEcho) { listener in
            let port = listener.localPort
            // Mallory's handshake completes (her side cannot tell yet), then the connection ends with no frame.
            let heard = try await GridConnector.connect(
                host: "127.0.0.1", port: port, identity: mallory, logger: LogStore().logger
            ) { connection -> [UInt8]? in
                try? await connection.send(Array("list every job".utf8))
                return try? await connection.receive()
            }
            #expect(heard == nil)
            let entry = try await logs.first { $0.message == "Peer not allowed" }
            #expect(entry.metadata["grid.net.peer"] == mallory.peerID.short)
            #expect(entry.metadata["grid.net.reason"]?.contains("not on the list of allowed peers") == true)

            let echoed = try await GridConnector.connect(
                host: "127.0.0.1", port: port, identity: alice, logger: LogStore().logger
            ) { connection in
                try await connection.send([5])
                return try await connection.receive()
            }
            #expect(echoed == [5])
            #expect(served.withLock { $0 } == [alice.peerID])
            try await poll("both connections to be released") { listener.connectionCounts.isEmpty }
        }
    }

    @Test func aFloodOfSilentConnectionsIsBoundedByTheAddressLimit() async throws {
        let logs = LogStore()
        var configuration = NetConfiguration()
        configuration.maxConnections = 150
        configuration.maxConnectionsPerAddress = 100
        configuration.handshakeTimeout = .seconds(30)
        try await withLimitedListener(configuration: configuration, logs: logs) { listener in
            let port = listener.localPort
            // 100 silent connections fill this address's share: the 101st is refused at once with a reason, not left
            // to wait for their handshake timeout; once they go, the address is served again.
            var silent: [NIOAsyncChannel<ByteBuffer, ByteBuffer>] = []
            for _ in 0..<100 { silent.append(try await RawClient.connect(port: port)) }
            try await poll("the flood to be accepted") { listener.connectionCounts.total == 100 }
            await #expect(throws: NetError.serverBusy(fromAddress: true)) {
                try await echoOnce(port: port, [1])
            }
            for channel in silent { try? await channel.channel.close() }
            try await poll("the flood to be released") { listener.connectionCounts.isEmpty }
            #expect(try await echoOnce(port: port, [2]) == [2])
        }
    }
}

/// Binds a listener with the farewell of `ListenerLimitsTests` and serves `handler` while `body` runs.
func withLimitedListener(
    configuration: NetConfiguration = NetConfiguration(), logs: LogStore = LogStore(),
    handler: @escaping @Sendable (SecureConnection) async throws -> Void = echoHandler,
    _ body: @escaping @Sendable (GridListener) async throws -> Void
) async throws {
    let listener = try await GridListener.bind(
        host: "127.0.0.1", port: 0, identity: .generate(), configuration: configuration,
        farewell: ListenerLimitsTests.farewell, logger: logs.logger)
    try await withDeadline(.seconds(60), "the test") {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await listener.serve(handler) }
            do {
                try await body(listener)
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }
}

/// Opens `count` connections that each complete one echo, keeps them open while `body` runs, then closes them.
func whileHolding(
    _ count: Int, port: Int, identity: @escaping @Sendable (Int) -> Identity,
    _ body: @escaping @Sendable () async throws -> Void
) async throws {
    let (ready, readySink) = AsyncStream<Void>.makeStream()
    var gates: [AsyncStream<Void>.Continuation] = []
    var streams: [AsyncStream<Void>] = []
    for _ in 0..<count {
        let (stream, gate) = AsyncStream<Void>.makeStream()
        streams.append(stream)
        gates.append(gate)
    }
    let held = streams
    try await withThrowingTaskGroup(of: Void.self) { group in
        for index in 0..<count {
            group.addTask {
                try await GridConnector.connect(
                    host: "127.0.0.1", port: port, identity: identity(index), logger: LogStore().logger
                ) { connection in
                    try await connection.send([UInt8(index % 256)])
                    _ = try await connection.receive()
                    readySink.yield()
                    for await _ in held[index] {}
                }
            }
        }
        try await withDeadline(.seconds(20), "holding \(count) connections") {
            var opened = 0
            for await _ in ready {
                opened += 1
                if opened == count { return }
            }
        }
        do {
            try await body()
        } catch {
            gates.forEach { $0.finish() }
            throw error
        }
        gates.forEach { $0.finish() }
        try await group.waitForAll()
    }
}

/// Polls `condition` every 20 ms until it holds, failing after `limit`.
func poll(_ what: String, limit: Duration = .seconds(90), _ condition: @escaping @Sendable () -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while !condition() {
        guard ContinuousClock.now < deadline else {
            throw TestFailure(description: "\(what) did not happen in \(limit)")
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}

/// True when the next receive ends the connection (cleanly or with an error) instead of delivering a message.
func closedWithoutMore(_ connection: SecureConnection) async throws -> Bool {
    do {
        return try await connection.receive() == nil
    } catch is NetError {
        return true
    }
}

/// A framed raw client whose encoder can be removed, to send partial frames after a handshake by hand.
enum SlowClient {
    static let encoderName = "frame-encoder"

    static func connect(port: Int) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    let size = NetConfiguration.defaultMaxFrameSize
                    try pipeline.addHandler(ByteToMessageHandler(FrameDecoder(maxFrameSize: size)))
                    try pipeline.addHandler(RemovableFramer(), name: encoderName)
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }
}

/// Prefixes each write with its 4-byte length, like `FrameEncoder`, and can be removed to write raw bytes.
final class RemovableFramer: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let payload = unwrapOutboundIn(data)
        var framed = context.channel.allocator.buffer(capacity: payload.readableBytes + 4)
        framed.writeInteger(UInt32(payload.readableBytes), endianness: .big)
        framed.writeImmutableBuffer(payload)
        context.write(wrapOutboundOut(framed), promise: promise)
    }
}
