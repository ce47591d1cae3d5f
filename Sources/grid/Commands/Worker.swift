import ArgumentParser
import Foundation
import GridClient
import GridCore
import GridPluginHost
import GridWorker
import Logging
import ServiceLifecycle

struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a worker: load plugins from a folder, advertise their capabilities, run jobs.")

    @OptionGroup var options: HomeOptions
    @OptionGroup var matchmaker: MatchmakerOption

    @Option(help: ArgumentHelp("Folder of capability plugins (*.so).", valueName: "dir"))
    var plugins: String

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

    func validate() throws {
        _ = try memoryLimit()
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
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: service)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
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
        let host: any PluginHost
        let failures: [PluginLoadFailure]
        if inProcess {
            warn("--in-process: plugins run inside the worker; a crashing plugin takes the worker down")
            let loaded = PluginLoader.loadDirectory(plugins)
            do {
                host = InProcessHost(registry: try PluginRegistry(plugins: loaded.plugins))
            } catch {
                throw CLIError("\(error)")
            }
            failures = loaded.failures
        } else {
            guard let executable = RunnerConfiguration.locateExecutable() else {
                throw CLIError("grid-runner was not found beside the grid executable; install it there, set "
                               + "GRID_RUNNER to its path, or run plugins unisolated with --in-process")
            }
            var runnerConfiguration = RunnerConfiguration(executable: executable)
            runnerConfiguration.memoryLimit = try memoryLimit()
            let files: [String]
            do {
                files = try PluginLoader.pluginFiles(in: plugins)
            } catch {
                throw CLIError("\(error)")
            }
            let (pool, report) = await RunnerPool.start(files: files, slots: slots,
                                                         configuration: runnerConfiguration, logger: logger)
            host = pool
            failures = report.failures
        }
        for failure in failures {
            warn("plugin skipped: \(failure)")
        }
        guard !host.plugins.isEmpty else {
            await host.shutdown()
            throw CLIError("no plugin in \(plugins) could be loaded; a worker needs at least one capability")
        }
        return host
    }
}
