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

    func validate() throws {
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
        let loaded = PluginLoader.loadDirectory(plugins)
        for failure in loaded.failures {
            warn("plugin skipped: \(failure)")
        }
        guard !loaded.plugins.isEmpty else {
            throw CLIError("no plugin in \(plugins) could be loaded; a worker needs at least one capability")
        }
        let registry: PluginRegistry
        do {
            registry = try PluginRegistry(plugins: loaded.plugins)
        } catch {
            throw CLIError("\(error)")
        }
        var configuration = WorkerConfiguration(pluginDirectory: plugins)
        configuration.matchmakerHost = endpoint.host
        configuration.matchmakerPort = endpoint.port
        configuration.matchmakerID = try matchmaker.expectedPeer()
        configuration.slots = slots
        configuration.labels = try parsedLabels()
        configuration.accept = accept
        let runner = JobRunner(registry: registry)
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
            throw CLIError("worker stopped: \(error)")
        }
    }
}
