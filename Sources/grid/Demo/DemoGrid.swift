import Foundation
import GridClient
import GridCore
import GridCrypto
import GridLedger
import Logging

/// The processes of `grid demo`: a matchmaker and three workers, each a child `grid` process with its own
/// GRID_HOME in a temporary folder, plus a client identity that submits the jobs.
final class DemoGrid: @unchecked Sendable {
    struct WorkerProcess {
        var name: String
        var peer: PeerID
        var capabilities: [String]
        var process: ChildProcess
    }

    /// Which plugins each worker loads, so that routing by unique ability shows. A name with a slash is a file of
    /// the project (an FFI manifest over a system library, no C written), relative to the folder the demo runs in.
    static let layout: [(name: String, plugins: [String])] = [
        ("worker-a", ["libGridPluginHash.so", "libGridPluginText.so"]),
        ("worker-b", ["libGridPluginPrimes.so", "Plugins/ffi/zlib.json"]),
        ("worker-c", ["libGridPluginRot13.so", "libGridPluginText.so"]),
    ]

    /// Where the plugin called `plugin` in `layout` is: a built product, or a project file.
    func source(of plugin: String) -> String {
        guard plugin.contains("/") else { return pluginDirectory + "/" + plugin }
        return FileManager.default.currentDirectoryPath + "/" + plugin
    }

    let root: String
    let pluginDirectory: String
    private let executable: String
    private(set) var port = 0
    private(set) var matchmakerID = PeerID(publicKey: [])
    private var matchmaker: ChildProcess?
    private(set) var workers: [WorkerProcess] = []
    private let client: Identity

    var ledgerPath: String { root + "/matchmaker/matchmaker.sqlite" }

    init(pluginDirectory: String) throws {
        executable = try DemoGrid.executablePath()
        self.pluginDirectory = pluginDirectory
        for (_, plugins) in Self.layout {
            for plugin in plugins where !plugin.contains("/") {
                guard FileManager.default.fileExists(atPath: pluginDirectory + "/" + plugin) else {
                    throw CLIError("\(pluginDirectory)/\(plugin) is missing: build the plugins first with 'swift build'")
                }
            }
            for plugin in plugins where plugin.contains("/") && !FileManager.default.fileExists(atPath: plugin) {
                throw CLIError("\(plugin) is missing (run the demo from the project's root)")
            }
        }
        var template = Array((NSTemporaryDirectory() + "/grid-demo.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw CLIError("could not create a temporary folder") }
        root = String(cString: made)
        client = Identity.generate()
        try client.save(to: root + "/client/identity")
    }

    static func executablePath() throws -> String {
        do {
            return try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        } catch {
            throw CLIError("cannot find the grid executable: \(error)")
        }
    }

    static func executableDirectory() throws -> String {
        URL(fileURLWithPath: try executablePath()).deletingLastPathComponent().path
    }

    static func specFiles(in folder: String) throws -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            throw CLIError("cannot read the job folder '\(folder)' (run the demo from the project's root, or pass --jobs)")
        }
        let specs = names.filter { $0.hasSuffix(".json") }.sorted().map { folder + "/" + $0 }
        guard !specs.isEmpty else { throw CLIError("no *.json job specs in '\(folder)'") }
        return specs
    }

    /// Starts the matchmaker, then the workers, and waits until each has said it is ready.
    func start() async throws {
        let mm = try ChildProcess(
            executable: executable,
            arguments: ["matchmaker", "--home", root + "/matchmaker", "--listen", "127.0.0.1:0"],
            stderrPath: root + "/matchmaker.log")
        matchmaker = mm
        guard let line = await mm.firstLine(where: ReadyLine.isMatchmaker),
              let ready = ReadyLine.parseMatchmaker(line) else {
            throw CLIError("the matchmaker did not start; see \(root)/matchmaker.log")
        }
        port = ready.port
        matchmakerID = ready.peer
        for (name, plugins) in Self.layout {
            let folder = root + "/" + name + "/plugins"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for plugin in plugins {
                let name = URL(fileURLWithPath: plugin).lastPathComponent
                try FileManager.default.createSymbolicLink(atPath: folder + "/" + name,
                                                           withDestinationPath: source(of: plugin))
            }
            let process = try ChildProcess(
                executable: executable,
                arguments: ["worker", "--home", root + "/" + name, "--matchmaker", "127.0.0.1:\(port)",
                            "--plugins", folder, "--slots", "2", "--label", "name=\(name)"],
                stderrPath: root + "/\(name).log")
            guard let line = await process.firstLine(where: ReadyLine.isWorker),
                  let ready = ReadyLine.parseWorker(line) else {
                throw CLIError("\(name) did not register; see \(root)/\(name).log")
            }
            workers.append(WorkerProcess(name: name, peer: ready.peer, capabilities: ready.capabilities,
                                         process: process))
        }
    }

    /// Submits every spec at once and waits for all of them.
    func submitAll(_ specs: [String]) async throws -> [(String, JobRecord)] {
        var requests: [(String, JobRequest)] = []
        for spec in specs {
            do {
                requests.append((URL(fileURLWithPath: spec).lastPathComponent, try JobSpec.load(path: spec)))
            } catch {
                throw CLIError("\(error)")
            }
        }
        let client = GridClient(host: "127.0.0.1", port: port, identity: client, logger: quietLogger)
        return try await withThrowingTaskGroup(of: (Int, String, JobRecord).self) { group in
            for (index, (name, request)) in requests.enumerated() {
                group.addTask {
                    let job = try await client.submit(try client.submission(for: request))
                    return (index, name, try await client.waitUntilFinal(job.id, deadline: .now + .seconds(30)))
                }
            }
            var results: [(Int, String, JobRecord)] = []
            for try await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map { ($0.1, $0.2) }
        }
    }

    /// Submits a job no worker can run, reads why it waits, and withdraws it: (id, why, cancelled record).
    func unrunnableJob() async throws -> (id: JobID, why: String, cancelled: JobRecord) {
        let client = GridClient(host: "127.0.0.1", port: port, identity: client, logger: quietLogger)
        let submission = try client.submission(for: JobRequest(capability: "image.thumbnail", input: Data("photo".utf8)))
        return try await client.withSession { session in
            let job = try await session.submit(submission)
            let why = try await session.status(job.id).message ?? "(no reason given)"
            return (job.id, why, try await session.cancel(job.id))
        }
    }

    private var quietLogger: Logger {
        var logger = Logger(label: "grid.demo")
        logger.logLevel = .critical
        return logger
    }

    /// A readable name for a peer or ledger account.
    func name(of peer: PeerID) -> String {
        if peer == matchmakerID { return "matchmaker" }
        if peer == client.peerID { return "client (\(peer.short))" }
        if let worker = workers.first(where: { $0.peer == peer }) { return "\(worker.name) (\(peer.short))" }
        return peer.short
    }

    func name(of account: Account) -> String {
        switch account {
        case .mint: return "mint"
        case .peer(let peer): return name(of: peer)
        case .escrow(let job): return "escrow \(job)"
        }
    }

    /// Stops the workers, then the matchmaker, and waits for each to exit.
    func stop() async {
        for worker in workers { worker.process.signal() }
        for worker in workers { _ = await worker.process.stop() }
        if let matchmaker {
            _ = await matchmaker.stop()
        }
        workers = []
        matchmaker = nil
    }

    func removeFolders() {
        try? FileManager.default.removeItem(atPath: root)
    }
}
