import Foundation
import GridCore
import GridCrypto
import GridNet
import Logging
import ServiceLifecycle

/// The matchmaker: accepts workers and clients over the secure wire, stores jobs, places them with the
/// `Scheduler`, and settles credits in the ledger.
///
/// All shared state lives in this actor. It never awaits the network or the disk itself: messages to workers go
/// into per-worker outboxes that each connection's own task drains, and writes go to the store's group-commit
/// writer, whose completions come back as `StoreEvent`s (docs/scheduling.md).
public actor MatchmakerService: Service {
    let configuration: MatchmakerConfiguration
    private let identity: Identity
    let store: MatchmakerStore
    let logger: Logger
    private let onListening: @Sendable (Int) -> Void
    var scheduler: Scheduler
    /// Each connected worker's current session: its number and the outbox its connection task drains.
    var sessions: [PeerID: (id: UInt64, outbox: Outbox<Message>)] = [:]
    var nextSession: UInt64 = 0
    /// Clients blocked in `wait`, by job and by a token each, so a waiter that times out removes itself.
    var waiters: [JobID: [UInt64: AsyncStream<Void>.Continuation]] = [:]
    var nextWaiter: UInt64 = 0
    /// The decoded request of every job not yet settled, so nothing is read back from the store to assign it.
    /// Changed only through `track` and `untrack`, which keep `inFlight` counted.
    private(set) var requests: [JobID: PendingJob] = [:]
    /// Unsettled jobs per submitter, and those of batches being stored (`accept` reserves before it writes).
    var inFlight: [PeerID: Int] = [:]
    /// What the store's writer reports after each commit, consumed by `run()`.
    let storeEvents: AsyncStream<StoreEvent>
    let storeEventSink: AsyncStream<StoreEvent>.Continuation
    /// Whether a checkpoint is being considered by the writer, so ticks do not queue one per tick.
    var checkpointPending = false
    /// Client connections and the jobs each follows (MatchmakerService+Clients.swift).
    var clients = ClientSubscriptions()
    /// The quorum of every redundant job not yet settled (MatchmakerService+Quorum.swift).
    var quorums: [JobID: QuorumTally] = [:]
    /// Whose jobs may be placed before their escrow commits (MatchmakerService+EarlyPlacement.swift).
    var earlyPlacement = EarlyPlacementGate()
    /// Ids whose submission is queued on the store's writer, with how many such writes are queued.
    var storing: [JobID: Int] = [:]
    /// Jobs placed before their escrow committed, until the store says whether it took them.
    var unconfirmed: Set<JobID> = []
    /// Settlements of unconfirmed jobs, queued once their job is durable (a settlement never goes before its escrow).
    var heldSettlements: [JobID: Settlement] = [:]
    /// Early-placed jobs the store did not take whose run is still out: its outcome is discarded.
    var voided: [JobID: PendingJob] = [:]
    /// Jobs stored under the id of another batch's early copy that the actor has not voided yet; `void` places them.
    var storedBehind: [JobID: PendingJob] = [:]

    /// Opens the store and reloads unfinished jobs; `onListening` is called with the bound port.
    public init(configuration: MatchmakerConfiguration, identity: Identity, logger: Logger,
                onListening: @escaping @Sendable (Int) -> Void = { _ in }) throws {
        self.configuration = configuration
        self.identity = identity
        self.logger = logger
        self.onListening = onListening
        let started = ContinuousClock.now
        self.store = try MatchmakerStore(path: configuration.databasePath, identity: identity,
                                         grants: configuration.grants, ledgerCheck: configuration.ledgerCheck)
        logger.info("ledger checked", metadata: [
            "grid.ledger.check": "\(configuration.ledgerCheck.rawValue)",
            "grid.elapsed": "\(ContinuousClock.now - started)",
        ])
        (storeEvents, storeEventSink) = AsyncStream<StoreEvent>.makeStream()
        var pending: [JobID: PendingJob] = [:]
        var scheduler = Scheduler(configuration: configuration.scheduler)
        for (peer, standing) in try store.standings() {
            scheduler.seedStanding(standing, for: peer)
        }
        let now = ContinuousClock.now
        var directives: [Scheduler.Directive] = []
        try store.endOpenAttempts(now: Self.nowMillis())
        var quorums: [JobID: QuorumTally] = [:]
        var settlements: [(JobID, Settlement)] = []
        for (record, request) in try store.unfinished() {
            let job: SchedulableJob
            do {
                job = try SchedulableJob.compile(id: record.id, submitter: record.submitter, request: request,
                                                 attempts: record.attempts)
            } catch {
                directives.append(.fail(record.id, reason: "its stored request is no longer valid: \(error)"))
                continue
            }
            if request.isRedundant {
                let ended = try store.endedRuns(of: record.id).map {
                    QuorumTally.EndedRun(run: $0.run, report: $0.report, failure: $0.failure)
                }
                var tally = QuorumTally(job: record.id, redundancy: request.runs, quorum: request.quorumSize,
                                        maxCredits: request.maxCredits)
                tally.restore(ended)
                if case .settle(let settlement) = Self.reload(&tally, job: job, record: record, into: &scheduler,
                                                               now: now) {
                    settlements.append((record.id, settlement))
                    continue
                }
                quorums[record.id] = tally
            } else {
                let reloaded = Self.reload(job, record: record, into: &scheduler, now: now)
                directives += reloaded
                // Out of attempts: settled below as failed, so not kept in flight.
                if reloaded.contains(where: { if case .fail = $0 { true } else { false } }) { continue }
            }
            pending[record.id] = PendingJob(request: request, submitter: record.submitter)
        }
        self.scheduler = scheduler
        self.requests = pending
        self.quorums = quorums
        self.inFlight = pending.values.reduce(into: [:]) { $0[$1.submitter, default: 0] += 1 }
        Self.settleReloaded(directives, settlements: settlements, store: store, logger: logger)
    }

    /// Puts a redundant job that was unfinished when the matchmaker stopped back: its runs that had not ended go back
    /// to the queue (each a lost attempt when it was running), kept away from the workers whose runs had ended.
    /// Returns `.settle` when the runs that had ended already decide it.
    static func reload(_ tally: inout QuorumTally, job: SchedulableJob, record: JobRecord,
                       into scheduler: inout Scheduler, now: ContinuousClock.Instant) -> QuorumTally.Decision {
        for ended in tally.ended {
            if let worker = ended.report?.worker { scheduler.noteRunWorker(worker, ran: ended.run) }
        }
        let decision = tally.decide()
        if case .settle = decision { return decision }
        for run in tally.outstanding.sorted() {
            var copy = job
            copy.id = run
            copy.attempts = 0
            _ = scheduler.jobSubmitted(copy, now: now)
        }
        return .wait
    }

    /// Puts a job that was unfinished when the matchmaker stopped back into `scheduler`.
    ///
    /// A job stored as running lost its attempt with the old process (its worker's report has nowhere to go), so it
    /// is requeued, or failed when that was its last attempt. Returns what the store must record.
    static func reload(_ job: SchedulableJob, record: JobRecord, into scheduler: inout Scheduler,
                       now: ContinuousClock.Instant) -> [Scheduler.Directive] {
        var job = job
        var directives: [Scheduler.Directive] = []
        if record.status == .running {
            let worker = record.worker.map { " on worker \($0.short)" } ?? ""
            let reason = "the matchmaker stopped while attempt \(record.attempts) ran\(worker)"
            if job.attempts >= scheduler.configuration.maxAttempts {
                return [.fail(job.id, reason: "\(reason); gave up after \(job.attempts) attempts")]
            }
            if let peer = record.worker { job.failedOn.insert(peer) }
            directives.append(.requeue(job.id, reason: reason))
        }
        // Nothing can be assigned yet (no worker is connected), but a job out of attempts is failed at once.
        return directives + scheduler.jobSubmitted(job, now: now)
    }

    /// Records what reloading decided, before any connection is served: failures are settled (the escrow refunded)
    /// and requeued jobs are stored as queued. A failure that cannot be stored is retried at the next start.
    private static func settleReloaded(_ directives: [Scheduler.Directive], settlements: [(JobID, Settlement)],
                                       store: MatchmakerStore, logger: Logger) {
        for (id, settlement) in settlements {
            do {
                _ = try store.settle(id, settlement, now: nowMillis())
                logger.info("job settled by the runs that ended before a restart", metadata: ["grid.job.id": "\(id)"])
            } catch {
                logger.error("could not settle a job; it is settled after the next restart", metadata: [
                    "grid.job.id": "\(id)", "grid.reason": "\(error)",
                ])
            }
        }
        for directive in directives {
            switch directive {
            case .fail(let id, let reason):
                do {
                    _ = try store.settleFailure(id, worker: nil, message: reason, now: nowMillis())
                    logger.info("job failed", metadata: ["grid.job.id": "\(id)", "grid.reason": "\(reason)"])
                } catch {
                    logger.error("could not record a failure; the job is retried after a restart", metadata: [
                        "grid.job.id": "\(id)", "grid.reason": "\(error)",
                    ])
                }
            case .requeue(let id, let reason):
                do {
                    try store.markQueued(id, message: reason)
                    logger.info("job requeued", metadata: ["grid.job.id": "\(id)", "grid.reason": "\(reason)"])
                } catch {
                    logger.error("could not record a requeue", metadata: [
                        "grid.job.id": "\(id)", "grid.reason": "\(error)",
                    ])
                }
            case .assign(let id, _, _, _):
                // Unreachable: no worker is connected while the service is created.
                logger.error("a job was assigned before any worker connected", metadata: ["grid.job.id": "\(id)"])
            }
        }
    }

    public func run() async throws {
        let listener = try await GridListener.bind(
            host: configuration.host, port: configuration.port, identity: identity,
            configuration: configuration.network, farewell: { MessageCodec.encode(.failure($0)) }, logger: logger)
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
                for await event in self.storeEvents {
                    await self.storeReported(event)
                }
            }
            group.addTask {
                let clock = ContinuousClock()
                while !Task.isCancelled {
                    do {
                        try await clock.sleep(for: self.configuration.tickInterval)
                    } catch {
                        return  // shutting down
                    }
                    await self.tick()
                }
            }
            try await gracefulShutdown()
            // Writes queued before the shutdown (settlements, state changes) commit before the process ends.
            _ = try? await store.writer.write { _ in true }
            storeEventSink.finish()
            group.cancelAll()
        }
        // And what the connections' ends queued as they closed (attempts lost, standing), deferred or not.
        _ = try? await store.writer.write { _ in true }
    }

    // MARK: Connections

    private nonisolated func handle(_ connection: SecureConnection) async {
        let peer = connection.remotePeer
        do {
            guard let first = try await connection.receive() else { return }
            let messages: [Message]
            do {
                messages = try MessageCodec.decodeAll(first)
            } catch {
                logger.warning("bad message", metadata: ["grid.peer": "\(peer.short)", "grid.reason": "\(error)"])
                try await connection.send(MessageCodec.encode(.failure(error.description)))
                return
            }
            if case .register(let ad) = messages[0] {
                guard messages.count == 1 else {
                    try await connection.send(MessageCodec.encode(.failure(
                        "registration refused: a worker registers with a message of its own, not in a batch")))
                    return
                }
                try await serveWorker(connection, ad: ad)
            } else {
                try await serveClient(connection, first: messages)
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
        let outbox = Outbox<Message>()
        let (session, granted) = await workerJoined(peer, ad: ad, outbox: outbox)
        try await connection.send(MessageCodec.encode(.registered(grantedCredits: granted)))
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Everything queued since the last write leaves together, as one frame when it fits.
                    while let messages = await outbox.next() {
                        try await connection.send(contentsOf: MessageCodec.payloads(for: messages))
                    }
                }
                group.addTask {
                    while let bytes = try await connection.receive() {
                        for message in try MessageCodec.decodeAll(bytes) {
                            switch message {
                            case .outcome(let outcome):
                                await self.outcomeReceived(outcome, from: peer)
                            case .advertise(let ad):
                                if let problem = Self.problem(with: ad) {
                                    throw ProtocolError("the worker's new ad is invalid: \(problem)")
                                }
                                await self.workerAdvertised(peer, ad: ad, session: session)
                            case .heartbeat:
                                continue  // receiving it is the point: the connection is not idle
                            default:
                                throw ProtocolError(
                                    "a worker may only send outcomes, new ads and heartbeats after registering")
                            }
                        }
                    }
                }
                _ = try await group.next()
                group.cancelAll()
            }
        } catch {
            logger.info("worker connection ended", metadata: ["grid.peer": "\(peer.short)", "grid.reason": "\(error)"])
        }
        await workerLeft(peer, session: session)
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

    func tick() {
        let now = ContinuousClock.now
        recordAttemptsTimedOut(now: now)
        carryOut(scheduler.tick(now: now))
        guard !checkpointPending else { return }
        checkpointPending = true
        let sink = storeEventSink
        store.enqueueCheckpoint(now: Self.nowMillis(), everyEntries: configuration.checkpointEveryEntries,
                                interval: configuration.checkpointInterval) { sink.yield(.checkpoint($0)) }
    }

    /// Keeps a job's decoded request until it is settled, counting it against its submitter.
    func track(_ id: JobID, _ job: PendingJob) {
        if requests[id] == nil { inFlight[job.submitter, default: 0] += 1 }
        requests[id] = job
    }

    /// Forgets a settled job's request.
    func untrack(_ id: JobID) {
        guard let job = requests.removeValue(forKey: id) else { return }
        let left = (inFlight[job.submitter] ?? 1) - 1
        inFlight[job.submitter] = left > 0 ? left : nil
    }

    static func nowMillis() -> Int64 {
        UnixTime.nowMillis()
    }
}
