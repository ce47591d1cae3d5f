import Foundation
import GridClient
import GridCore

/// A matchmaker and single-slot workers as child `grid` processes on 127.0.0.1, ports chosen at run time, each
/// with its own GRID_HOME in one temporary folder (removed by `stop()`).
final class BenchGrid: @unchecked Sendable {
    struct Worker {
        var name: String
        var process: ChildProcess
    }

    let root: String
    let port: Int
    let matchmakerPeer: PeerID
    let matchmaker: ChildProcess
    private(set) var workers: [Worker] = []

    /// The folder holding `grid-bench`, which is also where `grid` and the plugins of the same build are.
    static var products: String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: executable).deletingLastPathComponent().path
    }

    static func environment(_ settings: BenchSettings) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        if let level = settings.logLevel { env["GRID_LOG_LEVEL"] = level }
        return env
    }

    /// Starts a matchmaker granting every new peer 1,000,000 credits (so escrows never run out), then one worker per
    /// entry of `workers`, each loading those plugin files, and waits until each has registered.
    static func start(workers plugins: [[String]], settings: BenchSettings) async throws -> BenchGrid {
        let temporary = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("grid-bench.XXXXXX")
        var template = Array(temporary.path.utf8CString)
        guard let made = mkdtemp(&template) else { throw BenchError("A temporary folder could not be created.") }
        let root = String(cString: made)
        let grid = products + "/grid"
        guard FileManager.default.isExecutableFile(atPath: grid) else {
            throw BenchError("\(grid) is missing: build the root package first (swift build -c release).")
        }
        let env = environment(settings)
        let matchmaker = try ChildProcess(
            executable: grid,
            arguments: ["matchmaker", "--home", root + "/matchmaker", "--listen", "127.0.0.1:0",
                        "--grant", "1000000", "--queue-timeout", "\(JobRequest.maxQueueTimeoutSeconds)"],
            environment: env, stderrPath: root + "/matchmaker.log")
        guard let line = await matchmaker.firstLine(where: ReadyLine.isMatchmaker),
              let ready = ReadyLine.parseMatchmaker(line) else {
            throw BenchError("The matchmaker did not start; see \(root)/matchmaker.log.")
        }
        let bench = BenchGrid(root: root, port: ready.port, peer: ready.peer, matchmaker: matchmaker)
        for (index, files) in plugins.enumerated() {
            let name = "worker-\(index + 1)"
            let folder = root + "/" + name + "-plugins"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for file in files {
                guard FileManager.default.fileExists(atPath: products + "/" + file) else {
                    await bench.stop()
                    throw BenchError("\(products)/\(file) is missing: build the root package first.")
                }
                try FileManager.default.createSymbolicLink(atPath: folder + "/" + file,
                                                           withDestinationPath: products + "/" + file)
            }
            let process = try ChildProcess(
                executable: grid,
                arguments: ["worker", "--home", root + "/" + name, "--matchmaker", "127.0.0.1:\(ready.port)",
                            "--plugins", folder, "--slots", "1"] + (settings.replicas ? [] : ["--no-replica"])
                    + (settings.inProcess ? ["--in-process"] : []),
                environment: env, stderrPath: root + "/\(name).log")
            bench.workers.append(Worker(name: name, process: process))
            guard await process.firstLine(where: ReadyLine.isWorker) != nil else {
                await bench.stop()
                throw BenchError("\(name) did not register; see \(root)/\(name).log.")
            }
        }
        return bench
    }

    private init(root: String, port: Int, peer: PeerID, matchmaker: ChildProcess) {
        self.root = root
        self.port = port
        self.matchmakerPeer = peer
        self.matchmaker = matchmaker
    }

    /// Every process of the grid by name: matchmaker, workers, and each worker's runners.
    func processes() -> [(name: String, pid: pid_t)] {
        var all: [(String, pid_t)] = [("matchmaker", matchmaker.pid)]
        for worker in workers {
            all.append((worker.name, worker.process.pid))
            for (index, runner) in ProcessStats.children(of: worker.process.pid).sorted().enumerated() {
                all.append(("\(worker.name) runner \(index + 1)", runner))
            }
        }
        return all
    }

    /// Stops the workers, then the matchmaker, and removes the folder unless `keepingLogs`.
    func stop(keepingLogs: Bool = false) async {
        for worker in workers { worker.process.signal(SIGTERM) }
        for worker in workers { _ = await worker.process.stop() }
        _ = await matchmaker.stop()
        if !keepingLogs { try? FileManager.default.removeItem(atPath: root) }
    }
}
