import ArgumentParser
import Foundation
import GridClient
import GridCore
import GridLedger
import GridPluginHost
import GridPluginTrust
import GridWorker
import Logging
import ServiceLifecycle

struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a worker: load plugins from a folder, advertise their capabilities, run jobs.")

    @OptionGroup var options: HomeOptions
    @OptionGroup var matchmaker: MatchmakerOption

    @Option(help: ArgumentHelp("Folder of capability plugins (*.so) and FFI manifests (*.json).", valueName: "dir"))
    var plugins: String

    @Option(name: .customLong("trust-authors"),
            help: ArgumentHelp("Load only plugins signed by an author listed in this file (one peer id per line); "
                               + "every other file is refused with its reason.", valueName: "file"))
    var trustAuthors: String?

    @Option(help: "Jobs run at once.")
    var slots = 1

    @Option(name: .customLong("label"), help: ArgumentHelp("A label to advertise, repeatable.", valueName: "key=value"))
    var labels: [String] = []

    @Option(help: ArgumentHelp("Only take jobs for which this expression holds (docs/expressions.md).",
                               valueName: "expression"))
    var accept: String?

    @Option(name: .customLong("plugin-memory"),
            help: ArgumentHelp("Address-space limit of each plugin runner process (RLIMIT_AS), like 512M or 2G; "
                               + "'none' for no limit.", valueName: "size"))
    var pluginMemory = "1G"

    @Flag(name: .customLong("in-process"),
          help: "UNSAFE: run plugins inside the worker process, with no isolation (trusted plugins only).")
    var inProcess = false

    @Option(help: ArgumentHelp("Runner crashes of one plugin within --quarantine-window that withdraw it from the ad.",
                               valueName: "count"))
    var quarantineCrashes = 5

    @Option(help: ArgumentHelp("The window of --quarantine-crashes, in seconds.", valueName: "seconds"))
    var quarantineWindow = 60

    @Option(help: ArgumentHelp("How often to tell the matchmaker this worker is alive; keep it well under the "
                               + "matchmaker's --idle-timeout.", valueName: "seconds"))
    var heartbeatInterval = 30

    @Flag(help: "Keep no replica of the matchmaker's ledger (by default one is kept in --home and synced).")
    var noReplica = false

    @Option(help: ArgumentHelp("How often the ledger replica pulls what is new.", valueName: "seconds"))
    var replicaInterval = 10

    func validate() throws {
        _ = try memoryLimit()
        guard (1...86_400).contains(replicaInterval) else {
            throw ValidationError("--replica-interval must be from 1 to 86400 seconds, got \(replicaInterval)")
        }
        guard quarantineCrashes >= 1 else {
            throw ValidationError("--quarantine-crashes must be at least 1, got \(quarantineCrashes)")
        }
        guard (1...3600).contains(heartbeatInterval) else {
            throw ValidationError("--heartbeat-interval must be from 1 to 3600 seconds, got \(heartbeatInterval)")
        }
        guard quarantineWindow >= 1 else {
            throw ValidationError("--quarantine-window must be at least 1 second, got \(quarantineWindow)")
        }
        guard (1...1024).contains(slots) else { throw ValidationError("--slots must be from 1 to 1024, got \(slots)") }
        _ = try parsedLabels()
        if let accept {
            do {
                _ = try MatchExpression(parsing: accept)
            } catch {
                throw ValidationError("--accept is not a valid expression: \(error.summary)\n\(error.caretDisplay)")
            }
        }
    }

    /// `--plugin-memory` in bytes (0 for none).
    func memoryLimit() throws -> UInt64 {
        guard let bytes = ByteSize.parse(pluginMemory) else {
            throw ValidationError("--plugin-memory must be a size like 512M or 2G (or 'none'), got '\(pluginMemory)'")
        }
        guard bytes == 0 || bytes >= 128 << 20 else {
            throw ValidationError("--plugin-memory must be at least 128M: the runner itself needs about 100 MiB of "
                                  + "address space, got '\(pluginMemory)'")
        }
        return bytes
    }

    func parsedLabels() throws -> [String: String] {
        var result: [String: String] = [:]
        for label in labels {
            let parts = label.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw ValidationError("--label must look like key=value, got '\(label)'")
            }
            result[String(parts[0])] = String(parts[1])
        }
        return result
    }

    func run() async throws {
        let logger = try options.bootstrapLogging(defaultLevel: .info)
        let identity = try options.identity()
        let endpoint = try matchmaker.endpoint()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: plugins, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError("--plugins \(plugins) is not a folder")
        }
        let host = try await loadPlugins(logger: logger)
        var configuration = WorkerConfiguration(pluginDirectory: plugins)
        configuration.matchmakerHost = endpoint.host
        configuration.matchmakerPort = endpoint.port
        configuration.matchmakerID = try matchmaker.expectedPeer()
        configuration.slots = slots
        configuration.labels = try parsedLabels()
        configuration.accept = accept
        configuration.heartbeatInterval = .seconds(heartbeatInterval)
        configuration.quarantine = QuarantineBook.Policy(crashes: quarantineCrashes,
                                                         window: .seconds(quarantineWindow))
        let runner = JobRunner(host: host, quarantine: configuration.quarantine)
        let capabilities = runner.offers.map { "\($0.name)@\($0.version)" }
        let service = WorkerService(configuration: configuration, identity: identity, runner: runner, logger: logger) {
            say(ReadyLine.worker(peer: identity.peerID, matchmaker: "\(endpoint.host):\(endpoint.port)",
                                 capabilities: capabilities))
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: service)]
        if !noReplica {
            var replica = ReplicaService.Configuration(
                path: options.directory + "/" + LedgerReplica.fileName, matchmakerHost: endpoint.host,
                matchmakerPort: endpoint.port)
            replica.matchmakerID = configuration.matchmakerID
            replica.interval = .seconds(replicaInterval)
            services.append(.init(service: ReplicaService(configuration: replica, identity: identity, logger: logger)))
        }
        let group = ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            await host.shutdown()
            throw CLIError("worker stopped: \(error)")
        }
        await host.shutdown()
    }

    /// Loads the plugins in runner processes (or in this process with --in-process), saying why each refused file
    /// was refused; throws when none loaded.
    private func loadPlugins(logger: Logger) async throws -> any PluginHost {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: plugins, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError("--plugins \(plugins) is not a folder")
        }
        var trust = PluginTrustPolicy(trusted: nil)
        if let trustAuthors {
            do {
                trust = PluginTrustPolicy(trusted: try TrustedAuthors.load(from: trustAuthors))
            } catch {
                throw CLIError(error.description)
            }
        }
        let scanned: (files: [PluginFile], failures: [PluginLoadFailure])
        do {
            scanned = try PluginFile.scan(plugins)
        } catch {
            throw CLIError("\(error)")
        }
        let host: any PluginHost
        var failures = scanned.failures
        var warnings: [String] = []
        if inProcess {
            warn("--in-process: plugins run inside the worker; a crashing plugin takes the worker down")
            var libraries: [String] = []
            for file in scanned.files {
                guard case .library(let path) = file else {
                    warnings.append("The FFI manifest \(file.path) is not loaded: with --in-process a worker loads "
                                    + "plugin libraries only.")
                    continue
                }
                libraries.append(path)
            }
            let loaded = PluginTrustCheck.loadInProcess(libraries, trust: trust)
            do {
                host = InProcessHost(registry: try PluginRegistry(plugins: loaded.plugins))
            } catch {
                throw CLIError("\(error)")
            }
            warnings += loaded.warnings
            failures += loaded.failures
        } else {
            guard let executable = RunnerConfiguration.locateExecutable() else {
                throw CLIError("grid-runner was not found beside the grid executable; install it there, set "
                               + "GRID_RUNNER to its path, or run plugins unisolated with --in-process")
            }
            var runnerConfiguration = RunnerConfiguration(executable: executable)
            runnerConfiguration.memoryLimit = try memoryLimit()
            let (pool, report) = await RunnerPool.start(plugins: scanned.files, slots: slots,
                                                         configuration: runnerConfiguration, trust: trust,
                                                         logger: logger)
            host = pool
            failures += report.failures
            warnings += report.warnings
        }
        for failure in failures {
            warn("plugin skipped: \(failure)")
        }
        for warning in warnings {
            warn(warning)
        }
        guard !host.plugins.isEmpty else {
            await host.shutdown()
            throw CLIError("no plugin in \(plugins) could be loaded; a worker needs at least one capability")
        }
        return host
    }
}
