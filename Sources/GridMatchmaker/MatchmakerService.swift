import Foundation
import GridCore
import GridCrypto
import GridNet
import Logging
import ServiceLifecycle

/// The matchmaker: accepts workers and clients over the secure wire, stores jobs, places them with the
/// `Scheduler`, and settles credits in the ledger.
///
/// All shared state lives in this actor. It never awaits the network itself: messages to workers go into
/// per-worker outboxes that each connection's own task drains.
public actor MatchmakerService: Service {
    private let configuration: MatchmakerConfiguration
    private let identity: Identity
    private let store: MatchmakerStore
    private let logger: Logger
    private let onListening: @Sendable (Int) -> Void
    private var scheduler: Scheduler
    private var outboxes: [PeerID: AsyncStream<Message>.Continuation] = [:]
    private var connectedAt: [PeerID: Int64] = [:]
    private var waiters: [JobID: [AsyncStream<Void>.Continuation]] = [:]
    /// The price of each leased job on the worker it was leased to, fixed at assignment.
    private var leasedCosts: [JobID: Int] = [:]

    /// Opens the store and reloads unfinished jobs; `onListening` is called with the bound port.
    public init(configuration: MatchmakerConfiguration, identity: Identity, logger: Logger,
                onListening: @escaping @Sendable (Int) -> Void = { _ in }) throws {
        self.configuration = configuration
        self.identity = identity
        self.logger = logger
        self.onListening = onListening
        self.store = try MatchmakerStore(path: configuration.databasePath, identity: identity,
                                         grantCredits: configuration.grantCredits)
        var scheduler = Scheduler(configuration: configuration.scheduler)
        let now = ContinuousClock.now
        for (record, request) in try store.unfinished() {
            guard let job = try? SchedulableJob.compile(id: record.id, submitter: record.submitter, request: request,
                                                        attempts: record.attempts) else { continue }
            _ = scheduler.jobSubmitted(job, now: now)
        }
        self.scheduler = scheduler
    }

    public func run() async throws {
        let listener = try await GridListener.bind(
            host: configuration.host, port: configuration.port, identity: identity,
            configuration: configuration.network, logger: logger)
        logger.info("matchmaker listening", metadata: [
            "grid.address": "\(configuration.host):\(listener.localPort)", "grid.peer": "\(identity.peerID.short)",
        ])
        onListening(listener.localPort)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                try await listener.serve { connection in
                    await self.handle(connection)
                }
            }
            group.addTask {
                let clock = ContinuousClock()
                while !Task.isCancelled {
                    try await clock.sleep(for: self.configuration.tickInterval)
                    await self.tick()
                }
            }
            try await gracefulShutdown()
            group.cancelAll()
        }
    }

    // MARK: Connections

    private nonisolated func handle(_ connection: SecureConnection) async {
        let peer = connection.remotePeer
        do {
            guard let first = try await connection.receive() else { return }
            let message: Message
            do {
                message = try MessageCodec.decode(first)
            } catch {
                logger.warning("bad message", metadata: ["grid.peer": "\(peer.short)", "grid.reason": "\(error)"])
                try await connection.send(MessageCodec.encode(.failure(error.description)))
                return
            }
            if case .register(let ad) = message {
                try await serveWorker(connection, ad: ad)
            } else {
                var next: Message? = message
                while let request = next {
                    let reply = await answer(request, from: peer)
                    try await connection.send(MessageCodec.encode(reply))
                    guard let bytes = try await connection.receive() else { return }
                    do {
                        next = try MessageCodec.decode(bytes)
                    } catch {
                        logger.warning("bad message", metadata: ["grid.peer": "\(peer.short)", "grid.reason": "\(error)"])
                        try await connection.send(MessageCodec.encode(.failure(error.description)))
                        return
                    }
                }
            }
        } catch {
            logger.info("connection ended", metadata: ["grid.peer": "\(peer.short)", "grid.reason": "\(error)"])
        }
    }

    private nonisolated func serveWorker(_ connection: SecureConnection, ad: WorkerAd) async throws {
        let peer = connection.remotePeer
        if let problem = Self.problem(with: ad) {
            try await connection.send(MessageCodec.encode(.failure("registration refused: \(problem)")))
            return
        }
        let (outbox, continuation) = AsyncStream<Message>.makeStream()
        let granted = await workerJoined(peer, ad: ad, outbox: continuation)
        try await connection.send(MessageCodec.encode(.registered(grantedCredits: granted)))
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await message in outbox {
                        try await connection.send(MessageCodec.encode(message))
                    }
                }
                group.addTask {
                    while let bytes = try await connection.receive() {
                        let message = try MessageCodec.decode(bytes)
                        guard case .outcome(let outcome) = message else {
                            throw ProtocolError("a worker may only send outcomes after registering")
                        }
                        await self.outcomeReceived(outcome, from: peer)
                    }
                }
                _ = try await group.next()
                group.cancelAll()
            }
        } catch {
            logger.info("worker connection ended", metadata: ["grid.peer": "\(peer.short)", "grid.reason": "\(error)"])
        }
        await workerLeft(peer, outbox: continuation)
    }

    private static func problem(with ad: WorkerAd) -> String? {
        guard (1...1024).contains(ad.slots) else { return "slots must be from 1 to 1024, got \(ad.slots)" }
        guard ad.capabilities.count <= 4096 else { return "too many capabilities (\(ad.capabilities.count))" }
        for offer in ad.capabilities where !CapabilityName.isValid(offer.name) {
            return "capability name '\(offer.name)' is not a dotted lowercase name"
        }
        for offer in ad.capabilities where offer.cost < 0 {
            return "capability '\(offer.name)' has a negative cost"
        }
        for key in ad.attributes.labels.keys where !LabelRules.isValidKey(key) {
            return "label key '\(key)' is not valid"
        }
        if let accept = ad.accept {
            do {
                _ = try MatchExpression(parsing: accept)
            } catch {
                return "the accept policy is not a valid expression: \(error.summary)"
            }
        }
        return nil
    }

    // MARK: Requests from clients

    private func answer(_ request: Message, from peer: PeerID) async -> Message {
        do {
            switch request {
            case .submit(let submission):
                return .job(try submit(submission, from: peer))
            case .status(let id):
                return .job(try describe(id))
            case .wait(let id, let timeoutMillis):
                _ = try describe(id)
                let stream = subscribe(id)
                let limit = Duration.milliseconds(max(0, min(timeoutMillis, 86_400_000)))
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { for await _ in stream {} }
                    group.addTask { try? await Task.sleep(for: limit) }
                    await group.next()
                    group.cancelAll()
                }
                return .job(try describe(id))
            case .cancel(let id):
                return .job(try cancel(id, by: peer))
            case .listJobs:
                return .jobs(try store.jobs().map { withExplanation($0) })
            case .listPeers:
                return .peers(scheduler.connectedWorkers.map {
                    PeerInfo(peer: $0.peer, ad: $0.ad, running: $0.running, connectedAt: connectedAt[$0.peer] ?? 0)
                })
            case .balance(let who):
                return .credits(try store.balance(of: who))
            default:
                return .failure("'\(request)' is not a request a client may send")
            }
        } catch {
            return .failure("\(error)")
        }
    }

    private func submit(_ submission: Submission, from submitter: PeerID) throws -> JobRecord {
        let job: SchedulableJob
        do {
            job = try SchedulableJob.compile(id: submission.id, submitter: submitter, request: submission.request)
        } catch {
            throw MatchmakerError.badRequest(error.description)
        }
        let record = try store.insert(submission, from: submitter, now: Self.nowMillis())
        guard record.status == .queued, record.attempts == 0, !scheduler.isQueued(record.id) else {
            return withExplanation(record)
        }
        logger.info("job stored", metadata: ["grid.job.id": "\(record.id)", "grid.capability": "\(record.capability)"])
        carryOut(scheduler.jobSubmitted(job, now: .now))
        return withExplanation(try store.job(record.id) ?? record)
    }

    private func cancel(_ id: JobID, by peer: PeerID) throws -> JobRecord {
        let record = try describe(id)
        guard record.submitter == peer else {
            throw MatchmakerError.badRequest("only the submitter of job \(id) may cancel it")
        }
        guard !record.status.isFinal else {
            throw MatchmakerError.badRequest("job \(id) has already \(record.status.rawValue)")
        }
        guard scheduler.cancel(id) else {
            let worker = record.worker.map { " on worker \($0.short)" } ?? ""
            throw MatchmakerError.badRequest("job \(id) is running\(worker); only queued jobs can be cancelled")
        }
        let cancelled = try store.settleFailure(id, worker: nil, message: "cancelled by its submitter",
                                                now: Self.nowMillis(), status: .cancelled)
        logger.info("job cancelled", metadata: ["grid.job.id": "\(id)"])
        finished(id)
        return cancelled
    }

    private func describe(_ id: JobID) throws -> JobRecord {
        guard let record = try store.job(id) else { throw MatchmakerError.unknownJob(id) }
        return withExplanation(record)
    }

    private func withExplanation(_ record: JobRecord) -> JobRecord {
        guard record.status == .queued, let why = scheduler.explainWaiting(record.id) else { return record }
        var explained = record
        explained.message = why
        return explained
    }

    private func subscribe(_ id: JobID) -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        if let record = try? store.job(id), record.status.isFinal {
            continuation.finish()
        } else {
            waiters[id, default: []].append(continuation)
        }
        return stream
    }

    // MARK: Worker events

    private func workerJoined(_ peer: PeerID, ad: WorkerAd, outbox: AsyncStream<Message>.Continuation) -> Int {
        let granted = (try? store.grantIfNew(peer, now: Self.nowMillis())) ?? 0
        outboxes[peer]?.finish()
        outboxes[peer] = outbox
        connectedAt[peer] = Self.nowMillis()
        logger.info("worker joined", metadata: [
            "grid.peer": "\(peer.short)", "grid.capabilities": "\(ad.capabilities.map(\.name).joined(separator: ","))",
        ])
        carryOut(scheduler.workerJoined(peer, ad: ad, now: .now))
        return granted
    }

    private func workerLeft(_ peer: PeerID, outbox: AsyncStream<Message>.Continuation) {
        // A newer session of the same peer may already have replaced this one.
        guard outboxes[peer] != nil else { return }
        outbox.finish()
        outboxes[peer] = nil
        connectedAt[peer] = nil
        logger.info("worker left", metadata: ["grid.peer": "\(peer.short)"])
        carryOut(scheduler.workerLeft(peer, now: .now))
    }

    private func outcomeReceived(_ outcome: JobOutcome, from worker: PeerID) {
        guard let directives = scheduler.attemptFinished(outcome.job, attempt: outcome.attempt, by: worker, now: .now)
        else {
            logger.info("late outcome ignored", metadata: ["grid.job.id": "\(outcome.job)", "grid.peer": "\(worker.short)"])
            return
        }
        let now = Self.nowMillis()
        do {
            if let output = outcome.output {
                let cost = leasedCosts[outcome.job] ?? 0
                _ = try store.settleSuccess(outcome.job, worker: worker, output: output, cost: cost, now: now)
                logger.info("job succeeded", metadata: ["grid.job.id": "\(outcome.job)", "grid.peer": "\(worker.short)"])
            } else {
                let reason = outcome.error ?? "the worker reported a failure without a reason"
                _ = try store.settleFailure(outcome.job, worker: worker, message: reason, now: now)
                logger.info("job failed", metadata: ["grid.job.id": "\(outcome.job)", "grid.reason": "\(reason)"])
            }
        } catch {
            logger.error("settlement failed", metadata: ["grid.job.id": "\(outcome.job)", "grid.reason": "\(error)"])
        }
        leasedCosts[outcome.job] = nil
        finished(outcome.job)
        carryOut(directives)
    }

    private func tick() {
        carryOut(scheduler.tick(now: .now))
        do {
            if let signed = try store.checkpointIfDue(
                now: Self.nowMillis(), everyEntries: configuration.checkpointEveryEntries,
                interval: configuration.checkpointInterval) {
                logger.debug("ledger checkpoint signed", metadata: ["grid.ledger.size": "\(signed.checkpoint.size)"])
            }
        } catch {
            logger.error("could not sign a ledger checkpoint", metadata: ["grid.reason": "\(error)"])
        }
    }

    private func finished(_ id: JobID) {
        for waiter in waiters.removeValue(forKey: id) ?? [] { waiter.finish() }
    }

    /// Carries out the scheduler's directives: store state changes, send assignments.
    private func carryOut(_ directives: [Scheduler.Directive]) {
        for directive in directives {
            do {
                switch directive {
                case .assign(let id, let worker, let attempt):
                    guard let request = try store.request(id), let outbox = outboxes[worker] else { continue }
                    leasedCosts[id] = scheduler.cost(of: id, on: worker)
                    try store.markRunning(id, worker: worker, attempt: attempt)
                    outbox.yield(.assign(Assignment(job: id, attempt: attempt, capability: request.capability,
                                                    input: request.input, timeoutSeconds: request.timeoutSeconds)))
                    logger.info("job assigned", metadata: [
                        "grid.job.id": "\(id)", "grid.peer": "\(worker.short)", "grid.attempt": "\(attempt)",
                    ])
                case .requeue(let id, let reason):
                    try store.markQueued(id, message: reason)
                    logger.info("job requeued", metadata: ["grid.job.id": "\(id)", "grid.reason": "\(reason)"])
                case .fail(let id, let reason):
                    _ = try store.settleFailure(id, worker: nil, message: reason, now: Self.nowMillis())
                    logger.info("job failed", metadata: ["grid.job.id": "\(id)", "grid.reason": "\(reason)"])
                    finished(id)
                }
            } catch {
                logger.error("could not carry out a scheduling step", metadata: ["grid.reason": "\(error)"])
            }
        }
    }

    static func nowMillis() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }
}
