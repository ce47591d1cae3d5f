import GridCore
import GridNet

/// Worker sessions, outcomes, and carrying out the scheduler's directives.
extension MatchmakerService {
    /// Starts a worker session, replacing any older one of the same peer; returns its number and the grant.
    func workerJoined(_ peer: PeerID, ad: WorkerAd, outbox: Outbox<Message>) async
        -> (session: UInt64, granted: Int) {
        let granted: Int
        do {
            let decision = try await store.grantDurably(peer, now: Self.nowMillis(), offersWork: !ad.capabilities.isEmpty)
            granted = decision.granted
            if case .capReached(let cap) = decision {
                logger.warning("welcome grant cap reached", metadata: ["grid.peer": "\(peer.short)", "grid.cap": "\(cap)"])
            }
        } catch {
            granted = 0
            logger.error("could not grant credits", metadata: ["grid.peer": "\(peer.short)", "grid.reason": "\(error)"])
        }
        // State may have changed during the write: a newer session of this peer replaces this one either way.
        sessions[peer]?.outbox.finish()
        nextSession += 1
        sessions[peer] = (nextSession, outbox)
        logger.info("worker joined", metadata: [
            "grid.peer": "\(peer.short)", "grid.capabilities": "\(ad.capabilities.map(\.name).joined(separator: ","))",
        ])
        recordAttemptsLost(on: peer, reason: "worker \(peer.short) registered again while running it")
        carryOut(scheduler.workerJoined(peer, ad: ad, joinedAt: Self.nowMillis(), now: .now))
        return (nextSession, granted)
    }

    /// Ends a worker session; does nothing when a newer session of the same peer has replaced it.
    func workerLeft(_ peer: PeerID, session: UInt64) {
        guard let current = sessions[peer], current.id == session else { return }
        current.outbox.finish()
        sessions[peer] = nil
        logger.info("worker left", metadata: ["grid.peer": "\(peer.short)"])
        recordAttemptsLost(on: peer, reason: "worker \(peer.short) disconnected while running it")
        carryOut(scheduler.workerLeft(peer, now: .now))
    }

    /// A worker of the current session sent a new ad (it quarantined a plugin).
    func workerAdvertised(_ peer: PeerID, ad: WorkerAd, session: UInt64) {
        guard let current = sessions[peer], current.id == session else { return }
        logger.warning("worker changed its ad", metadata: [
            "grid.peer": "\(peer.short)", "grid.capabilities": "\(ad.capabilities.map(\.name).joined(separator: ","))",
            "grid.quarantined": "\((ad.quarantined ?? []).map(\.plugin).joined(separator: ","))",
        ])
        carryOut(scheduler.workerAdvertised(peer, ad: ad, now: .now))
    }

    /// Settles an outcome from the worker holding the lease: the lease is released at once and the settlement
    /// queued for the next group commit; waiters hear of it once it is durable (`storeReported`). The outcome of a
    /// run of a redundant job goes to its quorum instead (MatchmakerService+Quorum.swift).
    func outcomeReceived(_ outcome: JobOutcome, from worker: PeerID) {
        guard let lease = scheduler.lease(of: outcome.job),
              scheduler.holdsLease(outcome.job, attempt: outcome.attempt, worker: worker) else {
            logger.info("late outcome ignored", metadata: ["grid.job.id": "\(outcome.job)", "grid.peer": "\(worker.short)"])
            return
        }
        if voided[outcome.job] != nil {
            // Placed before its escrow committed, and not stored after all: the run ends here, unsettled. The worker's
            // standing counts it as it counts a stored job's attempt: done, or failed or crashed when the failure is
            // the worker's (retryable); a failure of the input itself counts for nothing.
            if outcome.isRetryable {
                scheduler.recordStanding(outcome.isCrash ? .crashed : .failed, for: worker)
            } else if outcome.output != nil {
                scheduler.recordStanding(.done, for: worker)
            }
            carryOut(scheduler.attemptFinished(outcome.job, attempt: outcome.attempt, by: worker, now: .now) ?? [])
            logger.info("the run of a job that was not stored was discarded", metadata: [
                "grid.job.id": "\(outcome.job)", "grid.peer": "\(worker.short)",
            ])
            voidedRunEnded(outcome.job)
            return
        }
        recordAttemptEnd(outcome)
        if outcome.isRetryable {
            // The reason is logged once, by the requeue or failure that follows.
            let reason = outcome.error ?? "the worker reported a failure without a reason"
            carryOut(scheduler.attemptFailed(outcome.job, attempt: outcome.attempt, by: worker, reason: reason,
                                             crashed: outcome.isCrash, now: .now) ?? [])
            return
        }
        let id = outcome.job
        var report = RunReport(outcome, worker: worker, cost: lease.cost)
        if let output = outcome.output, output.count > JobRequest.maxOutputBytes {
            report = RunReport(worker: worker, attempt: outcome.attempt, output: nil,
                               failure: "the output is larger than \(JobRequest.maxOutputBytes) bytes",
                               cpuMillis: outcome.cpuMillis, plugin: report.plugin, pluginVersion: report.pluginVersion,
                               capabilityVersion: report.capabilityVersion, pluginHash: report.pluginHash,
                               cost: lease.cost)
        }
        let directives = scheduler.attemptFinished(id, attempt: outcome.attempt, by: worker, now: .now) ?? []
        if id.isRun {
            runFinished(id, report: report)
        } else if report.output != nil {
            let maxCredits = requests[id]?.request.maxCredits ?? lease.cost
            settle(id, .success(report, maxCredits: maxCredits))
            scheduler.recordStanding(.done, for: worker)
            logger.debug("job succeeded", metadata: ["grid.job.id": "\(id)", "grid.peer": "\(worker.short)"])
        } else {
            let reason = report.failure ?? "the worker reported a failure without a reason"
            settle(id, .failure(reason, report: report))
            logger.info("job failed", metadata: ["grid.job.id": "\(id)", "grid.reason": "\(reason)"])
        }
        carryOut(directives)
    }

    /// Queues a job's settlement; waiters and followers hear of it once it is durable.
    ///
    /// The ledger entries are built and signed here, from the job's request, so the group-commit writer (one thread
    /// for the grid) does not sign; it checks they fit the stored row and builds them itself when they do not.
    func settle(_ id: JobID, _ settlement: Settlement) {
        if unconfirmed.contains(id) {
            // Placed before its escrow committed: its settlement is queued once the escrow is durable, or dropped.
            heldSettlements[id] = settlement
            return
        }
        let sink = storeEventSink
        let now = Self.nowMillis()
        let signed = requests[id].flatMap { job in
            try? SignedSettlement(job: id, settlement, capability: job.request.capability,
                                  escrowed: job.request.escrowCredits, submitter: job.submitter, now: now,
                                  identity: store.identity)
        }
        store.enqueueSettlement(id, settlement, now: now, signed: signed) { sink.yield(Self.settlementEvent(id, $0)) }
    }

    /// Carries out the scheduler's directives: queue the state changes for the store, send assignments.
    func carryOut(_ directives: [Scheduler.Directive]) {
        var pending = directives[...]
        let sink = storeEventSink
        // Redundant jobs one of whose runs went back to the queue: once these directives are carried out (the run may
        // have been placed again at once), a quorum that was only waiting for that run is settled.
        var requeuedRunsOf: Set<JobID> = []
        while let directive = pending.popFirst() {
            switch directive {
            case .assign(let id, let worker, let attempt, _):
                if voided[id] != nil {
                    // A voided job placed again after its run was lost (its worker left, its lease ran out): not
                    // sent; it leaves the scheduler, and a job stored under its id meanwhile is placed.
                    pending += scheduler.attemptFinished(id, attempt: attempt, by: worker, now: .now) ?? []
                    voidedRunEnded(id)
                    continue
                }
                guard let outbox = sessions[worker]?.outbox, let job = requests[id.parentJob] else {
                    logger.error("could not assign a job", metadata: [
                        "grid.job.id": "\(id)", "grid.peer": "\(worker.short)",
                    ])
                    pending += scheduler.assignmentFailed(id, reason: "it could not be sent to worker \(worker.short)",
                                                          now: .now)
                    continue
                }
                if id.isRun { quorums[id.parentJob]?.started(id) }
                store.enqueueRunning(id, worker: worker, attempt: attempt, now: Self.nowMillis(),
                                     submitter: job.submitter) { error in
                    if let error {
                        sink.yield(.writeFailed(id, what: "running", reason: "\(error)"))
                    }
                }
                outbox.yield(.assign(Assignment(job: id, attempt: attempt, capability: job.request.capability,
                                                input: job.request.input,
                                                timeoutSeconds: job.request.timeoutSeconds)))
                logger.debug("job assigned", metadata: [
                    "grid.job.id": "\(id)", "grid.peer": "\(worker.short)", "grid.attempt": "\(attempt)",
                ])
            case .requeue(let id, let reason):
                if voided[id] != nil {
                    // Not stored: it leaves the queue, unless it was placed again at once (its run is discarded).
                    if scheduler.cancel(id) { voidedRunEnded(id) }
                    continue
                }
                if id.isRun {
                    quorums[id.parentJob]?.requeued(id)
                    requeuedRunsOf.insert(id.parentJob)
                }
                store.enqueueQueued(id, message: reason, submitter: requests[id.parentJob]?.submitter) { error in
                    if let error {
                        sink.yield(.writeFailed(id, what: "queued", reason: "\(error)"))
                    }
                }
                logger.info("job requeued", metadata: ["grid.job.id": "\(id)", "grid.reason": "\(reason)"])
            case .fail(let id, let reason):
                if voided[id] != nil {
                    voidedRunEnded(id)
                    continue
                }
                if id.isRun {
                    runFailed(id, reason: reason)
                } else {
                    settle(id, .failure(reason))
                    logger.info("job failed", metadata: ["grid.job.id": "\(id)", "grid.reason": "\(reason)"])
                }
            }
        }
        for job in requeuedRunsOf.sorted() {
            // Only a settlement is acted on: the runs out did not change, so nothing new needs starting.
            guard var tally = quorums[job], case .settle(let settlement) = tally.decide() else { continue }
            carryOut(.settle(settlement), for: job)
        }
        storeStandingChanges()
    }

    /// Queues the scheduler's standing changes for the store.
    func storeStandingChanges() {
        let sink = storeEventSink
        for (peer, event) in scheduler.takeStandingChanges() {
            store.enqueueStanding(event, for: peer) { error in
                if let error {
                    sink.yield(.writeFailed(nil, what: "standing of worker \(peer.short)", reason: "\(error)"))
                }
            }
        }
    }

    /// What a settlement's completion tells the actor.
    nonisolated static func settlementEvent(_ id: JobID, _ result: Result<JobRecord, any Error>) -> StoreEvent {
        switch result {
        case .success(let record): return .settled(record)
        case .failure(let error as MatchmakerError) where error.isAlreadyFinal: return .alreadySettled(id)
        case .failure(let error): return .settlementFailed(id, reason: "\(error)")
        }
    }

    /// Handles what the store's writer reported.
    func storeReported(_ event: StoreEvent) {
        switch event {
        case .settled(let record):
            untrack(record.id)
            finished(record.id, record: record)
        case .alreadySettled(let id):
            logger.warning("a second settlement of a job was refused", metadata: ["grid.job.id": "\(id)"])
            untrack(id)
            finished(id)
        case .settlementFailed(let id, let reason):
            logger.error("settlement failed; the job is placed again with its escrow held", metadata: [
                "grid.job.id": "\(id)", "grid.reason": "\(reason)",
            ])
            guard let job = requests[id] else { return }
            schedule(id, job)
        case .writeFailed(let id, let what, let reason):
            logger.error("could not record a job's state", metadata: [
                "grid.job.id": "\(id.map(\.rawValue) ?? "-")", "grid.state": "\(what)", "grid.reason": "\(reason)",
            ])
        case .checkpoint(let result):
            checkpointPending = false
            switch result {
            case .success(let signed?):
                logger.debug("ledger checkpoint signed", metadata: ["grid.ledger.size": "\(signed.checkpoint.size)"])
            case .success(nil):
                break
            case .failure(let error):
                logger.error("could not sign a ledger checkpoint", metadata: ["grid.reason": "\(error)"])
            }
        }
    }
}
