import ArgumentParser
import Foundation
import GridClient
import GridCore
import GridLedger
import GridNet

extension LedgerCommand {
    /// `grid ledger sync`: brings the replica in --home up to the matchmaker's latest checkpoint.
    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pull new ledger entries and checkpoints into the replica in --home, checking every one; "
                + "refuse a forked history, keeping the conflicting checkpoints as evidence.")
        @OptionGroup var home: HomeOptions

        @Option(help: ArgumentHelp("Matchmaker address (default $GRID_MATCHMAKER or 127.0.0.1:7700).",
                                   valueName: "host:port"))
        var matchmaker: String?

        @Option(name: .customLong("matchmaker-id"),
                help: ArgumentHelp("Only follow a matchmaker with this peer id (default $GRID_MATCHMAKER_ID).",
                                   valueName: "peer-id"))
        var matchmakerID: String?

        @Flag(help: "Do not cosign the checkpoint the replica verified (by default it is cosigned and sent back).")
        var noCosign = false

        func run() async throws {
            let remote = try RemoteLedger(home: home, address: matchmaker, expected: matchmakerID)
            let identity = try home.identity()
            let path = home.directory + "/" + LedgerReplica.fileName
            let report = try await remote.withSession { session in
                let replica: LedgerReplica
                do {
                    replica = try LedgerReplica(path: path, operator: session.matchmaker)
                } catch {
                    throw CLIError("cannot open the replica \(path): \(error)")
                }
                do {
                    return try await replica.sync(now: UnixTime.nowMillis(), witness: noCosign ? nil : identity) {
                        try await session.request($0)
                    }
                } catch let error as ReplicaError {
                    throw CLIError("\(error)")
                }
            }
            say("synced: \(report)")
        }
    }
}

/// One client session with a matchmaker for the ledger commands, from `--home` and an address.
struct RemoteLedger {
    let client: GridClient

    init(home: HomeOptions, address: String?, expected: String?) throws {
        let text = address ?? ProcessInfo.processInfo.environment["GRID_MATCHMAKER"] ?? "127.0.0.1:7700"
        let endpoint: Endpoint
        do {
            endpoint = try Endpoint(parsing: text)
        } catch {
            throw ValidationError("--matchmaker: \(error)")
        }
        let logger = try home.bootstrapLogging(defaultLevel: .warning)
        var client = GridClient(host: endpoint.host, port: endpoint.port, identity: try home.identity(), logger: logger)
        if let text = expected ?? ProcessInfo.processInfo.environment["GRID_MATCHMAKER_ID"], !text.isEmpty {
            guard let peer = PeerID(hex: text) else {
                throw ValidationError("--matchmaker-id must be a peer id of 64 hex digits, got '\(text)'")
            }
            client.expectedMatchmaker = peer
        }
        self.client = client
    }

    func withSession<R: Sendable>(_ body: (GridClient.Session) async throws -> R) async throws -> R {
        try await ClientCall.run { try await client.withSession(body) }
    }

    func request(_ message: Message) async throws -> Message {
        try await withSession { try await $0.request(message) }
    }
}
