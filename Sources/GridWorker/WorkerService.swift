import Foundation
import GridCore
import GridCrypto
import GridNet
import Logging
import ServiceLifecycle

/// A worker node: connects to the matchmaker, advertises its plugins' capabilities, runs what it is assigned and
/// sends back the outcomes. Reconnects when the matchmaker goes away, until shut down.
public struct WorkerService: Service {
    private let configuration: WorkerConfiguration
    private let identity: Identity
    private let runner: JobRunner
    private let logger: Logger
    private let onRegistered: @Sendable () -> Void

    public init(configuration: WorkerConfiguration, identity: Identity, runner: JobRunner, logger: Logger,
                onRegistered: @escaping @Sendable () -> Void = {}) {
        self.configuration = configuration
        self.identity = identity
        self.runner = runner
        self.logger = logger
        self.onRegistered = onRegistered
    }

    public var advertisement: WorkerAd {
        let quarantined = runner.quarantined
        return WorkerAd(capabilities: runner.offers, attributes: MachineFacts.attributes(labels: configuration.labels),
                        slots: configuration.slots, accept: configuration.accept,
                        quarantined: quarantined.isEmpty ? nil : quarantined)
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            // "Never reached" (nothing listens there, or it is not a matchmaker) is told apart from "lost", and
            // retried with a growing delay instead of the same line every second.
            var backoff = ReconnectBackoff(initial: configuration.reconnectDelay)
            var reachedOnce = false
            let address = Endpoint(host: configuration.matchmakerHost, port: configuration.matchmakerPort)
            while !Task.isCancelled {
                let delay: Duration
                do {
                    try await session()
                    logger.info("matchmaker closed the connection")
                    reachedOnce = true
                    delay = backoff.reached()
                } catch is CancellationError {
                    return
                } catch let error as WorkerError {
                    throw error
                } catch let error as NetError where error.isConnectionFailure || error.isHandshakeFailure {
                    delay = backoff.failed()
                    let message: Logger.Message = reachedOnce
                        ? "matchmaker unreachable; retrying" : "matchmaker not reached; retrying"
                    logger.warning(message, metadata: [
                        "grid.matchmaker": "\(address)", "grid.reason": "\(error)", "grid.retry_in": "\(delay)",
                    ])
                } catch {
                    reachedOnce = true
                    delay = backoff.reached()
                    logger.warning("matchmaker connection lost", metadata: ["grid.reason": "\(error)"])
                }
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    return  // shut down while waiting to reconnect
                }
            }
        }
    }

    private func session() async throws {
        try await GridConnector.connect(
            host: configuration.matchmakerHost, port: configuration.matchmakerPort, identity: identity,
            expectedPeer: configuration.matchmakerID, configuration: configuration.network, logger: logger
        ) { connection in
            try await connection.send(MessageCodec.encode(.register(advertisement)))
            guard let reply = try await connection.receive() else { return }
            switch try MessageCodec.decode(reply) {
            case .registered(let granted):
                logger.info("registered with matchmaker", metadata: [
                    "grid.matchmaker": "\(connection.remotePeer.short)", "grid.granted": "\(granted)",
                ])
            case .failure(let reason):
                throw WorkerError.refused(reason)
            default:
                throw ProtocolError("the matchmaker answered registration with an unexpected message")
            }
            onRegistered()
            // Outcomes, new ads and heartbeats: whatever is queued when the connection is free leaves in one frame.
            let outbox = Outbox<Message>()
            try await withThrowingDiscardingTaskGroup { group in
                let heartbeatInterval = configuration.heartbeatInterval
                group.addTask {
                    while let messages = await outbox.next() {
                        try await connection.send(contentsOf: MessageCodec.payloads(for: messages))
                    }
                }
                group.addTask {
                    // Ends quietly when the session ends (cancelled): a CancellationError here would read as a
                    // shutdown and stop the worker instead of reconnecting.
                    while (try? await Task.sleep(for: heartbeatInterval)) != nil {
                        outbox.yield(.heartbeat)
                    }
                }
                while let bytes = try await connection.receive() {
                    for message in try MessageCodec.decodeAll(bytes) {
                        guard case .assign(let assignment) = message else {
                            throw ProtocolError("the matchmaker sent a worker something other than an assignment")
                        }
                        var jobLogger = logger
                        jobLogger[metadataKey: "grid.job.id"] = "\(assignment.job)"
                        jobLogger.debug("job started", metadata: ["grid.capability": "\(assignment.capability)"])
                        group.addTask {
                            let (outcome, quarantined) = await runner.run(assignment)
                            jobLogger.debug("job done", metadata: [
                                "grid.ok": "\(outcome.output != nil)", "grid.cpu_ms": "\(outcome.cpuMillis)",
                            ])
                            outbox.yield(.outcome(outcome))
                            if let quarantined {
                                logger.error("plugin quarantined until the worker restarts", metadata: [
                                    "grid.plugin.name": "\(quarantined.plugin)",
                                    "grid.capabilities": "\(quarantined.capabilities.joined(separator: ","))",
                                    "grid.reason": "\(quarantined.reason)",
                                ])
                                outbox.yield(.advertise(advertisement))
                            }
                        }
                    }
                }
                outbox.finish()
                group.cancelAll()
            }
        }
    }
}
