import GridCore
import GridCrypto
import Logging
import NIOCore
import NIOPosix
import Synchronization
@testable import GridNet

/// A failure of the test harness itself (a deadline passed).
struct TestFailure: Error, CustomStringConvertible {
    let description: String
}

/// Runs `body`, failing with `TestFailure` if it has not finished by `limit`: a guard, not a wait.
func withDeadline<T: Sendable>(
    _ limit: Duration = .seconds(20), _ what: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw TestFailure(description: "\(what) did not finish within \(limit)")
        }
        defer { group.cancelAll() }
        guard let result = try await group.next() else { throw TestFailure(description: "\(what) produced nothing") }
        return result
    }
}

/// One captured log line.
struct LogEntry: Sendable {
    var level: Logger.Level
    var message: String
    var metadata: [String: String]
}

/// Collects log entries so tests can check what an operator would read.
final class LogStore: Sendable {
    private let entries = Mutex<[LogEntry]>([])
    private let continuation: AsyncStream<LogEntry>.Continuation
    private let stream: AsyncStream<LogEntry>

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: LogEntry.self)
    }

    var logger: Logger {
        var logger = Logger(label: "grid.net.test") { _ in CapturingLogHandler(store: self) }
        logger.logLevel = .debug
        return logger
    }

    func append(_ entry: LogEntry) {
        entries.withLock { $0.append(entry) }
        continuation.yield(entry)
    }

    var all: [LogEntry] { entries.withLock { $0 } }

    /// Waits for the first entry (past or future) matching `predicate`; call from one task at a time.
    func first(where predicate: @escaping @Sendable (LogEntry) -> Bool) async throws -> LogEntry {
        let stream = self.stream
        return try await withDeadline(.seconds(20), "waiting for a log entry") {
            for await entry in stream where predicate(entry) {
                return entry
            }
            throw TestFailure(description: "the log ended")
        }
    }
}

struct CapturingLogHandler: LogHandler {
    let store: LogStore
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        for (key, value) in event.metadata ?? [:] { all[key] = value }
        store.append(LogEntry(level: event.level, message: "\(event.message)",
                              metadata: all.mapValues { "\($0)" }))
    }
}

/// Echoes every message back until the peer closes.
let echoHandler: @Sendable (SecureConnection) async throws -> Void = { connection in
    while let message = try await connection.receive() {
        try await connection.send(message)
    }
}

/// Binds a listener on 127.0.0.1 port 0, serves `handler` while `body` runs, then stops serving.
func withListener(
    identity: Identity = .generate(), configuration: NetConfiguration = NetConfiguration(), logs: LogStore = LogStore(),
    handler: @escaping @Sendable (SecureConnection) async throws -> Void = echoHandler,
    _ body: @escaping @Sendable (GridListener) async throws -> Void
) async throws {
    let listener = try await GridListener.bind(
        host: "127.0.0.1", port: 0, identity: identity, configuration: configuration, logger: logs.logger)
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

/// Connects as a good client, sends `message` and returns the echo.
func echoOnce(port: Int, _ message: [UInt8], logs: LogStore = LogStore()) async throws -> [UInt8]? {
    try await GridConnector.connect(host: "127.0.0.1", port: port, identity: .generate(), logger: logs.logger) {
        try await $0.send(message)
        return try await $0.receive()
    }
}

/// A TCP client that writes whatever bytes it is told: it plays misbehaving peers.
enum RawClient {
    /// Connects without any PeerGrid handlers: raw bytes in and out.
    static func connect(port: Int) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// Connects with only the frame codec: each write and read is one frame payload.
    static func connectFramed(port: Int, maxFrameSize: Int = NetConfiguration.defaultMaxFrameSize)
        async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer>
    {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(ByteToMessageHandler(FrameDecoder(maxFrameSize: maxFrameSize)))
                    try pipeline.addHandler(MessageToByteHandler(FrameEncoder(maxFrameSize: maxFrameSize)))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// Reads until the server closes the connection (end of stream or a reset); returns what arrived.
    static func readUntilClosed(
        _ inbound: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, limit: Int = 100
    ) async -> [[UInt8]] {
        var received: [[UInt8]] = []
        do {
            while received.count < limit, let buffer = try await inbound.next() {
                received.append(Array(buffer.readableBytesView))
            }
        } catch {
            // A reset also means the server dropped us.
        }
        return received
    }
}

/// Runs a correct handshake by hand over a framed raw channel and returns the resulting cipher.
func handshakeByHand(
    identity: Identity, inbound: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
    outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
) async throws -> FrameCipher {
    var handshake = Handshake.client(identity: identity)
    var pending = handshake.start()
    for _ in 0..<4 {
        for action in pending {
            switch action {
            case .send(let bytes):
                try await outbound.write(ByteBuffer(bytes: bytes))
            case .established(let session):
                return FrameCipher(keys: session.keys)
            case .fail(let error):
                throw error
            }
        }
        guard let reply = try await inbound.next() else { throw NetError.closedDuringHandshake }
        pending = handshake.receive(Array(reply.readableBytesView))
    }
    throw TestFailure(description: "the handshake did not finish in 4 rounds")
}
