import Foundation
import GridClient
import GridCore

/// A grid spread over the network namespaces of a `NetworkLab`: a `grid matchmaker` in one namespace listening on
/// all its addresses, `grid worker`s in others reaching it over veth links, and client commands run inside the
/// matchmaker's namespace against its loopback. Each process has its own GRID_HOME under one temporary folder.
public final class NamespacedGrid: @unchecked Sendable {
    public struct Worker: Sendable {
        public let name: String
        public let namespace: String
        public let peer: PeerID
        public let process: ChildProcess
    }

    public let lab: NetworkLab
    public let folder: TemporaryFolder
    public let matchmakerNamespace: String
    public private(set) var port = 0
    private var matchmaker: ChildProcess?
    private var workers: [String: Worker] = [:]
    private let lock = NSLock()

    public init(lab: NetworkLab, matchmakerNamespace: String) throws {
        self.lab = lab
        self.matchmakerNamespace = matchmakerNamespace
        folder = try TemporaryFolder("grid-netns")
    }

    /// Runs `body` with a fresh grid and stops every process afterwards, whether `body` threw or not.
    public static func run(lab: NetworkLab, matchmakerNamespace: String,
                           _ body: (NamespacedGrid) async throws -> Void) async throws {
        let grid = try NamespacedGrid(lab: lab, matchmakerNamespace: matchmakerNamespace)
        do {
            try await body(grid)
        } catch {
            await grid.shutdown()
            throw error
        }
        await grid.shutdown()
    }

    public var matchmakerHome: String { folder.file("matchmaker") }
    public var ledgerPath: String { matchmakerHome + "/matchmaker.sqlite" }
    public var clientHome: String { folder.file("client") }

    /// Starts the matchmaker in its namespace on all addresses and a free port, learned from its first line.
    public func startMatchmaker(extra: [String] = []) async throws {
        let (program, arguments) = lab.inside(
            matchmakerNamespace, GridRun.executable,
            ["matchmaker", "--home", matchmakerHome, "--listen", "0.0.0.0:0"] + extra)
        let process = try ChildProcess(executable: program, arguments: arguments,
                                       stderrPath: folder.file("matchmaker.log"))
        matchmaker = process
        guard let line = await process.firstLine(where: ReadyLine.isMatchmaker),
              let ready = ReadyLine.parseMatchmaker(line) else {
            throw TestGridError("the matchmaker did not start: \(log("matchmaker.log"))")
        }
        port = ready.port
    }

    /// Starts worker `name` in `namespace`, reaching the matchmaker at `matchmakerHost` (its address on the link
    /// between them), with the label `name=<name>`; waits until it has registered.
    @discardableResult
    public func startWorker(_ name: String, in namespace: String, matchmakerHost: String, plugins: [String],
                            extra: [String] = []) async throws -> Worker {
        let pluginFolder = folder.file("\(name)-plugins")
        try? FileManager.default.createDirectory(atPath: pluginFolder, withIntermediateDirectories: true)
        for plugin in plugins {
            let link = pluginFolder + "/" + (plugin as NSString).lastPathComponent
            guard !FileManager.default.fileExists(atPath: link) else { continue }
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: BuildProducts.path(plugin))
        }
        let (program, arguments) = lab.inside(
            namespace, GridRun.executable,
            ["worker", "--home", folder.file(name), "--matchmaker", "\(matchmakerHost):\(port)",
             "--plugins", pluginFolder, "--label", "name=\(name)"] + extra)
        let process = try ChildProcess(executable: program, arguments: arguments,
                                       stderrPath: folder.file("\(name).log"))
        guard let line = await process.firstLine(where: ReadyLine.isWorker),
              let peer = ReadyLine.parseWorker(line)?.peer else {
            process.signal(SIGKILL)
            _ = await process.wait()
            throw TestGridError("worker \(name) did not register: \(log("\(name).log"))")
        }
        let worker = Worker(name: name, namespace: namespace, peer: peer, process: process)
        lock.withLock { workers[name] = worker }
        return worker
    }

    /// Runs a client command inside the matchmaker's namespace, against its loopback address.
    public func grid(_ arguments: [String]) async throws -> GridRun {
        let (program, prefix) = lab.inside(matchmakerNamespace, GridRun.executable, [])
        return try await GridRun.run(
            program: program, prefix + arguments + ["--home", clientHome, "--matchmaker", "127.0.0.1:\(port)"])
    }

    /// One job's record as `grid status JOB --json` prints it, or nil when the command failed.
    public func status(_ job: String) async throws -> [String: Any]? {
        let run = try await grid(["status", job, "--json"])
        return run.status == 0 ? run.json() : nil
    }

    /// Stops the matchmaker gracefully and waits for it.
    public func stopMatchmaker() async -> Int32? {
        guard let matchmaker else { return nil }
        self.matchmaker = nil
        return await matchmaker.stop()
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
