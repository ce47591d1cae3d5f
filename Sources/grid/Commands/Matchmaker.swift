import ArgumentParser
import Foundation
import GridClient
import GridCore
import GridMatchmaker
import GridNet
import Logging
import ServiceLifecycle

struct Matchmaker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a matchmaker: accept workers and jobs, match them, keep the ledger.")

    @OptionGroup var options: HomeOptions

    @Option(help: ArgumentHelp("Address to listen on; port 0 picks a free port.", valueName: "host:port"))
    var listen = "127.0.0.1:7700"

    @Option(help: "Credits granted to each new peer.")
    var grant = 100

    @Option(help: "How many times a job is handed out before it fails.")
    var maxAttempts = 3

    @Option(parsing: .unconditional,
            help: ArgumentHelp("How long a job may wait for a worker to take it before it fails and is refunded; "
                               + "a job's spec may set its own (queueTimeoutSeconds).", valueName: "seconds"))
    var queueTimeout = 3600

    func validate() throws {
        guard (0...1_000_000).contains(grant) else { throw ValidationError("--grant must be from 0 to 1000000") }
        guard (1...100).contains(maxAttempts) else { throw ValidationError("--max-attempts must be from 1 to 100") }
        guard (1...JobRequest.maxQueueTimeoutSeconds).contains(queueTimeout) else {
            throw ValidationError("--queue-timeout must be from 1 to \(JobRequest.maxQueueTimeoutSeconds) seconds, "
                                  + "got \(queueTimeout)")
        }
    }

    func run() async throws {
        let endpoint: Endpoint
        do {
            endpoint = try Endpoint(parsing: listen)
        } catch {
            throw ValidationError("--listen: \(error)")
        }
        let logger = try options.bootstrapLogging(defaultLevel: .info)
        let identity = try options.identity()
        var configuration = MatchmakerConfiguration(databasePath: options.directory + "/matchmaker.sqlite")
        configuration.host = endpoint.host
        configuration.port = endpoint.port
        configuration.grantCredits = grant
        configuration.scheduler.maxAttempts = maxAttempts
        configuration.scheduler.queueTimeout = .seconds(queueTimeout)
        let service: MatchmakerService
        do {
            service = try MatchmakerService(configuration: configuration, identity: identity, logger: logger) { port in
                say(ReadyLine.matchmaker(peer: identity.peerID, host: endpoint.host, port: port))
            }
        } catch {
            throw CLIError("could not open \(configuration.databasePath): \(error)")
        }
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: service)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            throw CLIError("matchmaker stopped: \(error)")
        }
    }
}
