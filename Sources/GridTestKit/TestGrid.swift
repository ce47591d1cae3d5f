import Foundation
import GridClient
import GridCore

/// A real grid for end-to-end tests: a `grid matchmaker` child process on a free loopback port and any number of
/// `grid worker` children, each with its own GRID_HOME under one temporary folder.
public final class TestGrid: @unchecked Sendable {
    public struct Worker: Sendable {
        public let name: String
        public let peer: PeerID
        public let process: ChildProcess
    }

    public let folder: TemporaryFolder
    public private(set) var port = 0
    public private(set) var matchmakerPeer: PeerID?
    private var matchmaker: ChildProcess?
    private var workers: [String: Worker] = [:]
    private let lock = NSLock()

    public init() throws {
        folder = try TemporaryFolder("grid-e2e")
    }

    /// Runs `body` with a fresh grid and shuts every process down afterwards, whether `body` threw or not.
    public static func run(_ body: (TestGrid) async throws -> Void) async throws {
        let grid = try TestGrid()
        do {
            try await body(grid)
        } catch {
            await grid.shutdown()
            throw error
        }
        await grid.shutdown()
    }

    public var matchmakerAddress: String { "127.0.0.1:\(port)" }
    /// The running matchmaker's process id (to read its memory from /proc), if it runs.
    public var matchmakerPID: pid_t? { matchmaker?.pid }
    public var matchmakerHome: String { folder.file("matchmaker") }
    public var ledgerPath: String { matchmakerHome + "/matchmaker.sqlite" }
    public var clientHome: String { folder.file("client") }

    /// Starts the matchmaker on port 0 and learns the port it bound from its first line.
    /// Pass `port` to restart on the port it had before, `environment` for variables beyond this process's own
    /// (`GRID_LOG_LEVEL`).
    public func startMatchmaker(port requested: Int = 0, extra: [String] = [],
                                environment: [String: String] = [:]) async throws {
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        let process = try ChildProcess(
            executable: GridRun.executable,
            arguments: ["matchmaker", "--home", matchmakerHome, "--listen", "127.0.0.1:\(requested)"] + extra,
            environment: env, stderrPath: folder.file("matchmaker.log"))
        matchmaker = process
        guard let line = await process.firstLine(where: ReadyLine.isMatchmaker),
              let ready = ReadyLine.parseMatchmaker(line) else {
            throw TestGridError("the matchmaker did not start: \(log("matchmaker.log"))")
        }
        matchmakerPeer = ready.peer
        port = ready.port
    }

    /// Starts a worker that loads `plugins` and waits until it has registered. A plugin is the file name of a built
    /// product (`libGridPluginHash.so`) or the path of any plugin file (one with a `/`).
    @discardableResult
    public func startWorker(_ name: String, plugins: [String], extra: [String] = []) async throws -> Worker {
        let pluginFolder = folder.file("\(name)-plugins")
        try? FileManager.default.createDirectory(atPath: pluginFolder, withIntermediateDirectories: true)
        for plugin in plugins {
            let link = pluginFolder + "/" + (plugin as NSString).lastPathComponent
            guard !FileManager.default.fileExists(atPath: link) else { continue }
            let target = plugin.contains("/") ? plugin : BuildProducts.path(plugin)
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        }
        let process = try ChildProcess(
            executable: GridRun.executable,
            arguments: ["worker", "--home", folder.file(name), "--matchmaker", matchmakerAddress,
                        "--plugins", pluginFolder] + extra,
            stderrPath: folder.file("\(name).log"))
        guard let line = await process.firstLine(where: ReadyLine.isWorker),
              let peer = ReadyLine.parseWorker(line)?.peer else {
            process.signal(SIGKILL)
            _ = await process.wait()
            throw TestGridError("worker \(name) did not register: \(log("\(name).log"))")
        }
        let worker = Worker(name: name, peer: peer, process: process)
        lock.withLock { workers[name] = worker }
        return worker
    }

    /// Kills a worker at once (SIGKILL), as a crash would.
    public func kill(_ name: String) async {
        guard let worker = lock.withLock({ workers.removeValue(forKey: name) }) else { return }
        worker.process.signal(SIGKILL)
        _ = await worker.process.wait()
    }

    /// Kills the matchmaker at once (SIGKILL, by its pid), as a crash or power cut would; returns its exit status.
    @discardableResult
    public func killMatchmaker() async -> Int32? {
        guard let matchmaker else { return nil }
        self.matchmaker = nil
        matchmaker.signal(SIGKILL)
        return await matchmaker.wait()
    }

    /// Stops the matchmaker gracefully and waits for it.
    public func stopMatchmaker() async -> Int32? {
        guard let matchmaker else { return nil }
        self.matchmaker = nil
        return await matchmaker.stop()
    }

    /// Runs a client command against this grid with the client's home.
    public func grid(_ arguments: [String]) async throws -> GridRun {
        try await GridRun.run(arguments + ["--home", clientHome, "--matchmaker", matchmakerAddress])
    }

    /// The contents of a log file in the grid's folder (for failure messages).
    public func log(_ name: String) -> String {
        (try? String(contentsOfFile: folder.file(name), encoding: .utf8)) ?? "(no log)"
    }

    /// Stops everything and removes the folder.
    public func shutdown() async {
        let all = lock.withLock { Array(workers.values) }
        for worker in all { worker.process.signal(SIGTERM) }
        for worker in all { _ = await worker.process.stop() }
        lock.withLock { workers.removeAll() }
        _ = await stopMatchmaker()
        folder.remove()
    }
}
