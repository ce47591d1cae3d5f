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

    @Option(help: "Credits in one welcome grant (a new submitter, or a new worker offering a capability).")
    var grant = 100

    @Option(help: ArgumentHelp("Who gets welcome grants: open (every new peer), allow-list (the peers in "
                               + "--grant-allow), or none (credits only from `grid ledger grant`).",
                               valueName: "policy"))
    var grantPolicy = "open"

    @Option(help: ArgumentHelp("The peers that may get a welcome grant with --grant-policy allow-list, one peer id a "
                               + "line ('#' starts a comment).", valueName: "file"))
    var grantAllow: String?

    @Option(help: ArgumentHelp("Welcome credits granted at most per --grant-period, all peers together; "
                               + "0 for no cap.", valueName: "credits"))
    var grantCap = 0

    @Option(help: ArgumentHelp("The period --grant-cap counts in.", valueName: "seconds"))
    var grantPeriod = 3600

    @Option(help: ArgumentHelp("What of the ledger to check before serving: since-checkpoint (signatures and tree "
                               + "nodes since the checkpoint verified at the last start, the rest in full) or full.",
                               valueName: "scope"))
    var verifyLedger = LedgerCheck.sinceVerified.rawValue

    @Option(help: "How many times a job is handed out before it fails.")
    var maxAttempts = 3

    @Option(parsing: .unconditional,
            help: ArgumentHelp("How long a job may wait for a worker to take it before it fails and is refunded; "
                               + "a job's spec may set its own (queueTimeoutSeconds).", valueName: "seconds"))
    var queueTimeout = 3600

    @Option(help: ArgumentHelp("Open connections the matchmaker keeps at most, handshakes included.",
                               valueName: "count"))
    var maxConnections = NetConfiguration().maxConnections

    @Option(help: ArgumentHelp("Open connections from one IP address kept at most.", valueName: "count"))
    var maxConnectionsPerAddress = NetConfiguration().maxConnectionsPerAddress

    @Option(help: ArgumentHelp("Open authenticated connections of one peer identity kept at most.", valueName: "count"))
    var maxConnectionsPerPeer = NetConfiguration().maxConnectionsPerPeer

    @Option(help: ArgumentHelp("Close a connection that sends nothing for this long while nothing is outstanding "
                               + "(workers send heartbeats); 0 never closes idle connections.", valueName: "seconds"))
    var idleTimeout = 120

    @Option(help: ArgumentHelp("Drop a peer that takes longer than this to finish a frame it has begun.",
                               valueName: "seconds"))
    var frameTimeout = 30

    @Option(help: ArgumentHelp("Admit only the peer ids listed in this file, one per line ('#' starts a comment); "
                               + "others are closed right after the handshake, told nothing.", valueName: "file"))
    var allowPeers: String?

    @Option(help: ArgumentHelp("Jobs one submitter may have queued or running at once; more are refused.",
                               valueName: "count"))
    var maxJobsPerSubmitter = 250_000

    @Option(help: ArgumentHelp("Half-life of a submitter's recent usage in fair-share ordering (docs/scheduling.md).",
                               valueName: "seconds"))
    var fairShareHalfLife = 600

    func validate() throws {
        guard (1...10_000_000).contains(maxJobsPerSubmitter) else {
            throw ValidationError("--max-jobs-per-submitter must be from 1 to 10000000, got \(maxJobsPerSubmitter)")
        }
        guard (1...31_536_000).contains(fairShareHalfLife) else {
            throw ValidationError("--fair-share-half-life must be from 1 to 31536000 seconds, got \(fairShareHalfLife)")
        }
        guard (0...1_000_000).contains(grant) else { throw ValidationError("--grant must be from 0 to 1000000") }
        guard ["open", "allow-list", "none"].contains(grantPolicy) else {
            throw ValidationError("--grant-policy must be open, allow-list or none, got '\(grantPolicy)'")
        }
        guard (grantPolicy == "allow-list") == (grantAllow != nil) else {
            throw ValidationError("--grant-allow FILE goes with --grant-policy allow-list, and only with it")
        }
        guard (0...1_000_000_000).contains(grantCap) else {
            throw ValidationError("--grant-cap must be from 0 (no cap) to 1000000000, got \(grantCap)")
        }
        guard (1...31_536_000).contains(grantPeriod) else {
            throw ValidationError("--grant-period must be from 1 to 31536000 seconds, got \(grantPeriod)")
        }
        guard LedgerCheck(rawValue: verifyLedger) != nil else {
            throw ValidationError("--verify-ledger must be since-checkpoint or full, got '\(verifyLedger)'")
        }
        guard (1...100).contains(maxAttempts) else { throw ValidationError("--max-attempts must be from 1 to 100") }
        guard (1...JobRequest.maxQueueTimeoutSeconds).contains(queueTimeout) else {
            throw ValidationError("--queue-timeout must be from 1 to \(JobRequest.maxQueueTimeoutSeconds) seconds, "
                                  + "got \(queueTimeout)")
        }
        for (flag, value) in [("--max-connections", maxConnections),
                              ("--max-connections-per-address", maxConnectionsPerAddress),
                              ("--max-connections-per-peer", maxConnectionsPerPeer)]
            where !(1...1_000_000).contains(value) {
            throw ValidationError("\(flag) must be from 1 to 1000000, got \(value)")
        }
        guard (0...86_400).contains(idleTimeout) else {
            throw ValidationError("--idle-timeout must be from 0 (never) to 86400 seconds, got \(idleTimeout)")
        }
        guard (1...3600).contains(frameTimeout) else {
            throw ValidationError("--frame-timeout must be from 1 to 3600 seconds, got \(frameTimeout)")
        }
    }

    /// The identities of `--allow-peers`, or nil when every peer may connect.
    func allowedPeers() throws -> Set<PeerID>? {
        guard let allowPeers else { return nil }
        let text: String
        do {
            text = try String(contentsOfFile: allowPeers, encoding: .utf8)
        } catch {
            throw CLIError("--allow-peers: could not read \(allowPeers): \(error.localizedDescription)")
        }
        do {
            return try AllowedPeers(parsing: text, source: allowPeers).peers
        } catch {
            throw CLIError("--allow-peers: \(error)")
        }
    }

    /// The grant policy the flags describe.
    func grantPolicyFromFlags() throws -> GrantPolicy {
        var policy = GrantPolicy()
        policy.amount = grant
        policy.capPerPeriod = grantCap == 0 ? nil : grantCap
        policy.period = .seconds(grantPeriod)
        switch grantPolicy {
        case "none": policy.eligibility = .nobody
        case "allow-list":
            guard let grantAllow else { break }
            let text: String
            do {
                text = try String(contentsOfFile: grantAllow, encoding: .utf8)
            } catch {
                throw CLIError("--grant-allow: could not read \(grantAllow): \(error.localizedDescription)")
            }
            do {
                policy.eligibility = .allowList(try AllowedPeers(parsing: text, source: grantAllow).peers)
            } catch {
                throw CLIError("--grant-allow: \(error)")
            }
        default: policy.eligibility = .open
        }
        return policy
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
        configuration.grants = try grantPolicyFromFlags()
        configuration.ledgerCheck = LedgerCheck(rawValue: verifyLedger) ?? .sinceVerified
        configuration.scheduler.maxAttempts = maxAttempts
        configuration.scheduler.queueTimeout = .seconds(queueTimeout)
        configuration.scheduler.fairShareHalfLife = .seconds(fairShareHalfLife)
        configuration.maxJobsInFlightPerSubmitter = maxJobsPerSubmitter
        configuration.network.maxConnections = maxConnections
        configuration.network.maxConnectionsPerAddress = maxConnectionsPerAddress
        configuration.network.maxConnectionsPerPeer = maxConnectionsPerPeer
        configuration.network.idleTimeout = idleTimeout == 0 ? nil : .seconds(idleTimeout)
        configuration.network.frameTimeout = .seconds(frameTimeout)
        configuration.network.allowedPeers = try allowedPeers()
        if let allowed = configuration.network.allowedPeers {
            logger.info("admitting only listed peers", metadata: ["grid.allowed": "\(allowed.count)"])
        }
        let service: MatchmakerService
        do {
            service = try MatchmakerService(configuration: configuration, identity: identity, logger: logger) { port in
                say(ReadyLine.matchmaker(peer: identity.peerID, host: endpoint.host, port: port))
            }
        } catch let error as MatchmakerError {
            throw CLIError("\(error)")
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
