import GridCore

/// Worker sessions, outcomes, and carrying out the scheduler's directives.
extension MatchmakerService {
    /// Starts a worker session, replacing any older one of the same peer; returns its number and the grant.
    func workerJoined(_ peer: PeerID, ad: WorkerAd, outbox: AsyncStream<Message>.Continuation)
        -> (session: UInt64, granted: Int) {
        let granted = (try? store.grantIfNew(peer, now: Self.nowMillis())) ?? 0
        sessions[peer]?.outbox.finish()
        nextSession += 1
        sessions[peer] = (nextSession, outbox)
        connectedAt[peer] = Self.nowMillis()
        logger.info("worker joined", metadata: [
            "grid.peer": "\(peer.short)", "grid.capabilities": "\(ad.capabilities.map(\.name).joined(separator: ","))",
        ])
        carryOut(scheduler.workerJoined(peer, ad: ad, now: .now))
        return (nextSession, granted)
    }

    /// Ends a worker session; does nothing when a newer session of the same peer has replaced it.
    func workerLeft(_ peer: PeerID, session: UInt64) {
        guard let current = sessions[peer], current.id == session else { return }
        current.outbox.finish()
        sessions[peer] = nil
        connectedAt[peer] = nil
        logger.info("worker left", metadata: ["grid.peer": "\(peer.short)"])
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

    /// Settles an outcome from the worker holding the lease, then releases the lease. When the settlement cannot
    /// be stored, the lease is kept, so it runs out and the job is retried with its escrow intact.
    func outcomeReceived(_ outcome: JobOutcome, from worker: PeerID) {
        guard scheduler.holdsLease(outcome.job, attempt: outcome.attempt, worker: worker) else {
            logger.info("late outcome ignored", metadata: ["grid.job.id": "\(outcome.job)", "grid.peer": "\(worker.short)"])
            return
        }
        if outcome.isRetryable {
            // The reason is logged once, by the requeue or failure that follows.
            let reason = outcome.error ?? "the worker reported a failure without a reason"
            leasedCosts[outcome.job] = nil
            carryOut(scheduler.attemptFailed(outcome.job, attempt: outcome.attempt, by: worker, reason: reason,
                                             crashed: outcome.isCrash, now: .now) ?? [])
            return
        }
        let now = Self.nowMillis()
        do {
            if let output = outcome.output, output.count <= JobRequest.maxOutputBytes {
                _ = try store.settleSuccess(outcome.job, worker: worker, output: output,
                                            cost: leasedCosts[outcome.job] ?? 0, now: now)
                logger.info("job succeeded", metadata: ["grid.job.id": "\(outcome.job)", "grid.peer": "\(worker.short)"])
            } else {
                let reason = outcome.output == nil
                    ? outcome.error ?? "the worker reported a failure without a reason"
                    : "the output is larger than \(JobRequest.maxOutputBytes) bytes"
                _ = try store.settleFailure(outcome.job, worker: worker, message: reason, now: now)
                logger.info("job failed", metadata: ["grid.job.id": "\(outcome.job)", "grid.reason": "\(reason)"])
            }
        } catch {
            logger.error("settlement failed; the lease will run out and the job be retried", metadata: [
                "grid.job.id": "\(outcome.job)", "grid.reason": "\(error)",
            ])
            return
        }
        leasedCosts[outcome.job] = nil
        let directives = scheduler.attemptFinished(outcome.job, attempt: outcome.attempt, by: worker, now: .now) ?? []
        finished(outcome.job)
        carryOut(directives)
    }

    /// Carries out the scheduler's directives: store state changes, send assignments.
    func carryOut(_ directives: [Scheduler.Directive]) {
        var pending = directives[...]
        while let directive = pending.popFirst() {
            switch directive {
            case .assign(let id, let worker, let attempt):
                do {
                    guard let outbox = sessions[worker]?.outbox else {
                        throw MatchmakerError.badRequest("worker \(worker.short) has no open session")
                    }
                    guard let request = try store.request(id) else { throw MatchmakerError.unknownJob(id) }
                    try store.markRunning(id, worker: worker, attempt: attempt)
                    leasedCosts[id] = scheduler.cost(of: id, on: worker)
                    outbox.yield(.assign(Assignment(job: id, attempt: attempt, capability: request.capability,
                                                    input: request.input, timeoutSeconds: request.timeoutSeconds)))
                    logger.info("job assigned", metadata: [
                        "grid.job.id": "\(id)", "grid.peer": "\(worker.short)", "grid.attempt": "\(attempt)",
                    ])
                } catch {
                    logger.error("could not assign a job", metadata: ["grid.job.id": "\(id)", "grid.reason": "\(error)"])
                    pending += scheduler.assignmentFailed(id, reason: "it could not be sent to worker \(worker.short)",
                                                          now: .now)
                }
            case .requeue(let id, let reason):
                leasedCosts[id] = nil
                do {
                    try store.markQueued(id, message: reason)
                } catch {
                    logger.error("could not record a requeue", metadata: ["grid.job.id": "\(id)", "grid.reason": "\(error)"])
                }
                logger.info("job requeued", metadata: ["grid.job.id": "\(id)", "grid.reason": "\(reason)"])
            case .fail(let id, let reason):
                leasedCosts[id] = nil
                do {
                    _ = try store.settleFailure(id, worker: nil, message: reason, now: Self.nowMillis())
                    logger.info("job failed", metadata: ["grid.job.id": "\(id)", "grid.reason": "\(reason)"])
                } catch {
                    logger.error("could not record a failure; the job is retried after a restart", metadata: [
                        "grid.job.id": "\(id)", "grid.reason": "\(error)",
                    ])
                }
                finished(id)
            }
        }
    }
}
