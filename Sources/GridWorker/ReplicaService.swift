import Foundation
import GridCore
import GridCrypto
import GridLedger
import GridNet
import Logging
import ServiceLifecycle

/// Keeps a worker's replica of the matchmaker's ledger: every `interval`, a connection of its own pulls what is new
/// (`LedgerReplica.sync`), checked and written on a thread of the lowest priority. A failed sync is logged and tried
/// again; a fork is logged once and ends the following.
public struct ReplicaService: Service {
    public struct Configuration: Sendable {
        /// The replica file.
        public var path: String
        public var matchmakerHost: String
        public var matchmakerPort: Int
        /// The matchmaker (and so the ledger operator) to follow; nil trusts the first one reached.
        public var matchmakerID: PeerID?
        public var network = NetConfiguration()
        public var interval: Duration = .seconds(10)

        public init(path: String, matchmakerHost: String, matchmakerPort: Int) {
            self.path = path
            self.matchmakerHost = matchmakerHost
            self.matchmakerPort = matchmakerPort
        }
    }

    private let configuration: Configuration
    private let identity: Identity
    private let logger: Logger
    /// Where pages are checked and written: a thread of the lowest priority, so that catching up with a long ledger
    /// (100,000 escrows queued at once) waits for idle cores instead of taking them from the worker's jobs.
    private let background = BackgroundThread(name: "grid-replica")

    public init(configuration: Configuration, identity: Identity, logger: Logger) {
        self.configuration = configuration
        self.identity = identity
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var replica: LedgerReplica?
            while !Task.isCancelled {
                do {
                    replica = try await syncOnce(replica)
                } catch is CancellationError {
                    return
                } catch let error as ReplicaError where error.isFork {
                    logger.error("ledger fork detected; the replica follows this matchmaker no more", metadata: [
                        "grid.ledger.path": "\(configuration.path)", "grid.reason": "\(error)",
                    ])
                    return
                } catch {
                    logger.info("ledger replica not synced", metadata: ["grid.reason": "\(error)"])
                }
                do {
                    try await Task.sleep(for: configuration.interval)
                } catch {
                    return
                }
            }
        }
    }

    /// One sync over a fresh connection; opens the replica on first contact (its operator is the matchmaker).
    private func syncOnce(_ current: LedgerReplica?) async throws -> LedgerReplica {
        try await GridConnector.connect(
            host: configuration.matchmakerHost, port: configuration.matchmakerPort, identity: identity,
            expectedPeer: configuration.matchmakerID, configuration: configuration.network, logger: logger
        ) { connection in
            let replica = try current ?? LedgerReplica(path: configuration.path, operator: connection.remotePeer,
                                                            background: background)
            guard replica.store.operatorID == connection.remotePeer else {
                throw ReplicaError.refused("the replica follows the ledger of peer \(replica.store.operatorID.short), "
                    + "but the matchmaker is peer \(connection.remotePeer.short)")
            }
            let report = try await replica.sync(now: UnixTime.nowMillis(), witness: identity) { message in
                try await connection.send(MessageCodec.encode(message))
                guard let bytes = try await connection.receive() else {
                    throw ReplicaError.refused("the matchmaker closed the connection")
                }
                return try MessageCodec.decode(bytes)
            }
            if report.appended > 0 {
                logger.debug("ledger replica synced", metadata: [
                    "grid.ledger.size": "\(report.size)", "grid.ledger.checkpoint": "\(report.checkpointSize)",
                ])
            }
            return replica
        }
    }
}
