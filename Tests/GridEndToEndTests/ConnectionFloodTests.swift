#if canImport(Glibc)
import Glibc
#endif
import Foundation
import GridCore
import GridCrypto
import GridNet
import GridTestKit
import Logging
import Synchronization
import Testing

/// Floods against a real `grid matchmaker`: its limits hold, its memory stays bounded, honest peers are served.
extension GridEndToEndTests {
    static let floodIdentityConnections = 300
    static let perPeerLimit = 40

    /// Floods of idle connections of one identity, pre-handshake connections and a slow loris: memory stays bounded,
    /// a worker stays by heartbeat, a client in `wait` is not cut, an honest client is served throughout.
    @Test("connection floods against a real matchmaker: bounded memory, honest clients served")
    func connectionFloods() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker(extra: [
                "--max-connections-per-peer", "\(Self.perPeerLimit)", "--idle-timeout", "5", "--frame-timeout", "2",
            ])
            try await grid.startWorker("w", plugins: [Self.hash], extra: ["--heartbeat-interval", "1"])
            let pid = try #require(grid.matchmakerPID)
            let matchmaker = try #require(grid.matchmakerPeer)
            try await Self.expectHonestClientServed(grid)
            let baseline = try Self.residentKiB(of: pid)

            // A client blocked in `wait` longer than the idle timeout is answered, not cut.
            async let waited = grid.grid(["submit", "--capability", "nobody.offers.this", "--text", "x",
                                          "--queue-timeout", "7", "--wait", "--timeout", "30", "--json"])

            // 1. Many idle authenticated connections of one identity: the per-peer limit admits 40, tells the rest
            //    why at once, and the idle timeout closes the 40 (each told why), bounded in time.
            let greedy = Identity.generate()
            let farewells = Farewells()
            let port = grid.port
            var peak = baseline
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<Self.floodIdentityConnections {
                    group.addTask {
                        let text = try await Self.firstFailure(port: port, identity: greedy, matchmaker: matchmaker)
                        farewells.append(text)
                    }
                }
                let refusedCount = Self.floodIdentityConnections - Self.perPeerLimit
                try await Self.poll("the refusals past the per-peer limit") {
                    farewells.all.count >= refusedCount
                }
                // The admitted ones are still open: the matchmaker serves an honest client meanwhile.
                peak = max(peak, try Self.residentKiB(of: pid))
                try await Self.expectHonestClientServed(grid)
                try await group.waitForAll()
            }
            let texts = farewells.all
            let refused = texts.filter { $0.contains("already has \(Self.perPeerLimit) open connections") }
            let idle = texts.filter { $0.contains("sent nothing for 5.0 seconds") }
            #expect(refused.count == Self.floodIdentityConnections - Self.perPeerLimit)
            #expect(idle.count == Self.perPeerLimit)

            // 2. Pre-handshake floods: silent connections and 16 MiB hellos.
            let silent = try (0..<300).map { _ in try HeldSocket(port: grid.port, send: []) }
            let huge = try (0..<100).map { _ in
                try HeldSocket(port: grid.port, send: [0x01, 0x00, 0x00, 0x00] + Array("PGRD".utf8)
                               + [UInt8](repeating: 0x41, count: 64 * 1024))
            }
            peak = max(peak, try Self.residentKiB(of: pid))
            try await Self.expectHonestClientServed(grid)
            // Every 16 MiB hello is cut as soon as its length arrives; the silent ones at the handshake timeout.
            try await Self.poll("the 16 MiB hellos to be cut") { huge.allSatisfy { $0.isClosedByPeer } }
            try await Self.poll("the silent connections to be cut", limit: .seconds(30)) {
                silent.allSatisfy { $0.isClosedByPeer }
            }
            peak = max(peak, try Self.residentKiB(of: pid))

            // 3. A slow loris: a hello sent one byte every 300 ms is dropped at the 2 s frame deadline.
            let loris = try HeldSocket(port: grid.port, send: [])
            let hello = [0, 0, 0, 103] + Array("PGRD".utf8) + [UInt8](repeating: 0, count: 99)
            let started = ContinuousClock.now
            for byte in hello.prefix(40) where !loris.isClosedByPeer {
                loris.write([byte])
                try await Task.sleep(for: .milliseconds(300))
            }
            try await Self.poll("the slow loris to be dropped", limit: .seconds(30)) { loris.isClosedByPeer }
            #expect(ContinuousClock.now - started < .seconds(30))
            try await Self.expectHonestClientServed(grid)

            let log = grid.log("matchmaker.log")
            #expect(log.contains("did not finish it within 2.0 seconds"), "\(log.suffix(2000))")
            #expect(log.contains("already has \(Self.perPeerLimit) open connections"))

            // The worker was never cut: heartbeats kept it through many idle timeouts.
            #expect(!grid.log("w.log").contains("matchmaker connection lost"), "\(grid.log("w.log").suffix(2000))")
            #expect(!grid.log("w.log").contains("matchmaker closed the connection"))

            let waitedRun = try await waited
            let waitedJSON = try #require(waitedRun.json(), "\(waitedRun.stderr)")
            #expect(waitedJSON["status"] as? String == "failed", "\(waitedRun.stdout) \(waitedRun.stderr)")
            #expect(!waitedRun.stderr.contains("idle"))

            // Memory: the floods cost a bounded amount (the 2.4 GB of issue 10 was 150 buffered 16 MiB hellos).
            let growthMiB = (peak - baseline) / 1024
            print("matchmaker RSS: baseline \(baseline / 1024) MiB, peak \(peak / 1024) MiB (+\(growthMiB) MiB)")
            #expect(growthMiB < 64, "the matchmaker grew by \(growthMiB) MiB under the floods")
        }
    }

    /// An honest client's job runs to completion.
    static func expectHonestClientServed(_ grid: TestGrid) async throws {
        let run = try await grid.grid(["submit", "--capability", "hash.sha256", "--text", "abc", "--wait"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    /// Connects as `identity`, asks for the peer list once, then stays idle; returns the text of the first failure
    /// the matchmaker sends (at most three messages read).
    static func firstFailure(port: Int, identity: Identity, matchmaker: PeerID) async throws -> String {
        var logger = Logger(label: "flood")
        logger.logLevel = .critical
        return try await GridConnector.connect(
            host: "127.0.0.1", port: port, identity: identity, expectedPeer: matchmaker, logger: logger
        ) { connection in
            try await connection.send(MessageCodec.encode(.listPeers))
            for _ in 0..<3 {
                guard let bytes = try await connection.receive() else { return "(closed without a word)" }
                if case .failure(let text) = try MessageCodec.decode(bytes) { return text }
            }
            return "(no failure in three messages)"
        }
    }

    /// VmRSS of `pid`, in KiB, from /proc.
    static func residentKiB(of pid: pid_t) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { throw RawSocket.Failure(description: "no VmRSS in /proc/\(pid)/status") }
        return kib
    }

    /// Polls `condition` every 50 ms until it holds, failing after `limit`.
    static func poll(_ what: String, limit: Duration = .seconds(20), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while !condition() {
            guard ContinuousClock.now < deadline else {
                throw RawSocket.Failure(description: "\(what) did not happen within \(limit)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// What the flood's connections were told, collected from many tasks.
final class Farewells: Sendable {
    private let texts = Mutex<[String]>([])

    func append(_ text: String) { texts.withLock { $0.append(text) } }
    var all: [String] { texts.withLock { $0 } }
}

/// A raw TCP connection to 127.0.0.1 held open by the test, which can tell when the server has closed it.
final class HeldSocket: @unchecked Sendable {
    private let fd: Int32

    init(port: Int, send bytes: [UInt8]) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawSocket.Failure(description: "socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw RawSocket.Failure(description: "connect() to 127.0.0.1:\(port) failed: errno \(errno)")
        }
        write(bytes)
    }

    deinit { close(fd) }

    /// Sends what it can without blocking; a closed connection is not an error here.
    func write(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
    }

    /// True once the server has closed the connection (end of stream or reset), reading without blocking.
    var isClosedByPeer: Bool {
        var buffer = [UInt8](repeating: 0, count: 512)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count == 0 { return true }
            if count < 0 { return errno != EAGAIN && errno != EWOULDBLOCK }
        }
    }
}

/// `grid matchmaker --allow-peers FILE`.
extension GridEndToEndTests {
    @Test("--allow-peers admits the listed worker and client; a stranger's connection closes after its handshake")
    func allowPeersAdmitsOnlyListedIdentities() async throws {
        try await TestGrid.run { grid in
            let client = try await GridRun.run(["id", "--home", grid.clientHome])
            let worker = try await GridRun.run(["id", "--home", grid.folder.file("w")])
            let stranger = try await GridRun.run(["id", "--home", grid.folder.file("stranger")])
            let allowFile = grid.folder.file("allowed.txt")
            try "# who may use this grid\n\(client.stdout)  # the client\n\n\(worker.stdout)\n"
                .write(toFile: allowFile, atomically: true, encoding: .utf8)
            try await grid.startMatchmaker(extra: ["--allow-peers", allowFile])
            try await grid.startWorker("w", plugins: [Self.hash])
            try await Self.expectHonestClientServed(grid)

            let refused = try await GridRun.run(["peers", "--home", grid.folder.file("stranger"),
                                                 "--matchmaker", grid.matchmakerAddress])
            #expect(refused.status != 0)
            // It learns no peer, job or balance: only that the connection closed.
            #expect(!refused.stdout.contains(worker.stdout), "\(refused.stdout)")
            // Either its request or its reading meets the closed connection, depending on which came first: a close,
            // or a reset when its request arrived after the matchmaker closed its side.
            #expect(refused.stderr.contains("closed") || refused.stderr.contains("reset by peer"), "\(refused.stderr)")
            try await Self.poll("the refusal to be logged") {
                grid.log("matchmaker.log").contains("Peer not allowed")
            }
            let log = grid.log("matchmaker.log")
            #expect(log.contains(String(stranger.stdout.prefix(8))))
            try await Self.expectHonestClientServed(grid)
        }
    }

    @Test("--allow-peers names each bad line of the file by its number")
    func allowPeersFileMistakesAreNamed() async throws {
        let folder = try TemporaryFolder("grid-allow")
        defer { folder.remove() }
        let good = String(repeating: "ab", count: 32)
        let path = folder.file("allowed.txt")
        try "\(good)\nnope\n# fine\n\(good)x\n".write(toFile: path, atomically: true, encoding: .utf8)
        let run = try await GridRun.run(["matchmaker", "--home", folder.file("m"), "--listen", "127.0.0.1:0",
                                         "--allow-peers", path])
        #expect(run.status != 0)
        #expect(run.stderr.contains("\(path) line 2: 'nope' is not a peer id (64 hex digits)."), "\(run.stderr)")
        #expect(run.stderr.contains("\(path) line 4: '\(good)x' is not a peer id"), "\(run.stderr)")

        try "# nobody\n".write(toFile: path, atomically: true, encoding: .utf8)
        let empty = try await GridRun.run(["matchmaker", "--home", folder.file("m"), "--listen", "127.0.0.1:0",
                                           "--allow-peers", path])
        #expect(empty.status != 0)
        #expect(empty.stderr.contains("lists no peer ids"), "\(empty.stderr)")
    }
}
