import GridCore

/// Requests from clients: submit (one or many), status, wait, subscribe, cancel, listings, balances.
extension MatchmakerService {
    /// The answer to one request of `peer`'s, on its client connection `session`.
    func answer(_ request: Message, from peer: PeerID, session: UInt64) async -> Message {
        do {
            switch request {
            case .submit(let submission):
                return .job(withExplanation(current(try await accept([submission], from: peer)[0].get())))
            case .submitMany(let submissions, let subscribe):
                guard submissions.count <= Message.maxBatch else {
                    throw MatchmakerError.badRequest("a batch may carry at most \(Message.maxBatch) submissions, "
                                                     + "got \(submissions.count)")
                }
                let results = await accept(submissions, from: peer, following: subscribe ? session : nil)
                return .submitted(zip(submissions, results).map { submission, result in
                    switch result {
                    case .success(let record): return .accepted(withExplanation(current(record)))
                    case .failure(let error): return .refused(submission.id, reason: "\(error)")
                    }
                })
            case .subscribe(let ids):
                return try await followJobs(ids, from: peer, session: session)
            case .status(let id):
                return .job(try await describe(id, for: peer))
            case .wait(let id, let timeoutMillis):
                let record = try await describe(id, for: peer)
                let (token, stream) = subscribe(id, final: record.status.isFinal)
                let limit = Duration.milliseconds(max(0, min(timeoutMillis, 86_400_000)))
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { for await _ in stream {} }
                    group.addTask { try? await Task.sleep(for: limit) }
                    await group.next()
                    group.cancelAll()
                }
                unsubscribe(id, token: token)
                return .job(try await describe(id, for: peer))
            case .cancel(let id):
                return .job(try await cancel(id, by: peer))
            case .listJobs:
                return .jobs(try await store.read { try $0.jobs(submittedBy: peer) }.map { withExplanation($0) })
            case .listPeers:
                return .peers(scheduler.connectedWorkers.map {
                    PeerInfo(peer: $0.peer, ad: $0.ad, running: $0.running, connectedAt: $0.joinedAt,
                             standing: scheduler.standing(of: $0.peer))
                })
            case .balance(let who):
                return .credits(try await store.read { try $0.balance(of: who) })
            case .ledgerPull(let pull):
                return .ledgerPage(try await store.read { try $0.ledgerPage(pull) })
            case .cosign(let cosignature):
                return .cosigned(try await store.cosign(cosignature, from: peer))
            case .ledgerReceipt(let id):
                return .receipt(try await store.read { try $0.receipt(for: id, requester: peer) })
            case .explain(let id):
                return .explanation(try await explain(id, for: peer))
            default:
                return .failure("'\(request)' is not a request a client may send")
            }
        } catch {
            return .failure("\(error)")
        }
    }

    /// Stores and queues submissions of `submitter`'s, each on its own: one refused does not stop the others.
    /// With `session`, every accepted job is followed there (its result pushed at once if it is already final).
    /// Returns once every accepted job is durable.
    ///
    /// A submission seen before (same id, same submitter) is answered with the job stored then: resending is safe.
    func accept(_ submissions: [Submission], from submitter: PeerID,
                following session: UInt64? = nil) async -> [Result<JobRecord, any Error>] {
        let compiled = submissions.map { submission in
            Result<SchedulableJob, any Error> {
                guard !submission.id.isRun else {
                    throw MatchmakerError.badRequest("job id '\(submission.id)' is not valid: a job id is 1 to 64 "
                                                     + "characters of a-z, 0-9 and '-'")
                }
                let job: SchedulableJob
                do {
                    job = try SchedulableJob.compile(id: submission.id, submitter: submitter,
                                                     request: submission.request)
                } catch {
                    throw MatchmakerError.badRequest("\(error)")
                }
                if submission.request.isRedundant,
                   let (worker, offer) = scheduler.nondeterministicOffer(of: job.capability, in: job.versionRange) {
                    throw MatchmakerError.badRequest(
                        "capability '\(offer.name)' says its output is not deterministic (plugin \(offer.plugin) "
                        + "\(offer.version) on worker \(worker.short)), so a job cannot ask for redundancy on it: "
                        + "its runs could never agree")
                }
                return job
            }
        }
        let (admitted, reserved) = admit(compiled, from: submitter)
        let (stored, new) = await store(submissions, compiled: admitted, from: submitter)
        inFlight[submitter, default: 0] -= reserved
        if inFlight[submitter] == 0 { inFlight[submitter] = nil }
        for (index, result) in stored.enumerated() {
            guard case .success(let job) = admitted[index], case .success(let record) = result else { continue }
            // Only a job this batch stored is placed: a resubmitted id is known already (queued, running, waiting for
            // its settlement to commit, or settled), and its stored record may be older than that. Checked again after
            // the write: the same id in another batch may have been placed meanwhile.
            guard new.contains(index), requests[record.id] == nil, !scheduler.isQueued(record.id),
                  scheduler.lease(of: record.id) == nil, quorums[record.id] == nil else { continue }
            logger.debug("job stored", metadata: [
                "grid.job.id": "\(record.id)", "grid.capability": "\(record.capability)",
            ])
            let pending = PendingJob(request: submissions[index].request, submitter: submitter)
            track(record.id, pending)
            if pending.request.isRedundant {
                schedule(record.id, pending)
            } else {
                carryOut(scheduler.jobSubmitted(job, now: .now))
            }
        }
        if let session {
            for case .success(let record) in stored { follow(record, on: session) }
        }
        return stored
    }

    /// Refuses the submissions past the submitter's limit of jobs in flight (unsettled, or being stored by another
    /// batch), and reserves room for the others until they are stored; returns them and the count reserved.
    private func admit(_ compiled: [Result<SchedulableJob, any Error>], from submitter: PeerID)
        -> ([Result<SchedulableJob, any Error>], reserved: Int) {
        let limit = configuration.maxJobsInFlightPerSubmitter
        var count = inFlight[submitter] ?? 0
        var refused = 0
        let admitted = compiled.map { result -> Result<SchedulableJob, any Error> in
            guard case .success = result else { return result }
            guard count < limit else {
                refused += 1
                return .failure(MatchmakerError.tooManyJobsInFlight(limit: limit))
            }
            count += 1
            return result
        }
        let reserved = count - (inFlight[submitter] ?? 0)
        inFlight[submitter] = count
        if refused > 0 {
            logger.warning("submissions refused: too many jobs in flight", metadata: [
                "grid.peer": "\(submitter.short)", "grid.limit": "\(limit)", "grid.refused": "\(refused)",
            ])
        }
        return (admitted, reserved)
    }

    /// The one place submissions are stored, each with its signed escrow checked. All of them are handed to the store
    /// at once, so its group commit writes them in as few transactions as it can; returns once each is durable (or
    /// refused), in the order given, with the indices of those this call stored (not stored before). Submissions that
    /// did not compile are refused with their compile error.
    private func store(_ submissions: [Submission], compiled: [Result<SchedulableJob, any Error>],
                       from submitter: PeerID) async -> ([Result<JobRecord, any Error>], new: Set<Int>) {
        let now = Self.nowMillis()
        let store = self.store
        var pending: [(index: Int, submission: Submission)] = []
        for index in submissions.indices {
            if case .success = compiled[index] { pending.append((index, submissions[index])) }
        }
        let written = await withTaskGroup(of: StoredSubmission.self, returning: [StoredSubmission].self) { group in
            for (index, submission) in pending {
                group.addTask {
                    do {
                        let (record, isNew) = try await store.submitIfNew(submission, from: submitter, now: now)
                        return StoredSubmission(index: index, record: record, isNew: isNew, error: nil)
                    } catch {
                        return StoredSubmission(index: index, record: nil, isNew: false, error: error)
                    }
                }
            }
            var all: [StoredSubmission] = []
            for await one in group { all.append(one) }
            return all
        }
        var byIndex: [Int: StoredSubmission] = [:]
        for one in written { byIndex[one.index] = one }
        let results = compiled.indices.map { index -> Result<JobRecord, any Error> in
            if case .failure(let error) = compiled[index] { return .failure(error) }
            if let record = byIndex[index]?.record { return .success(record) }
            return .failure(byIndex[index]?.error ?? MatchmakerError.badRequest("the job was not stored"))
        }
        return (results, Set(written.filter(\.isNew).map(\.index)))
    }

    /// What storing one submission of a batch gave.
    private struct StoredSubmission: Sendable {
        var index: Int
        var record: JobRecord?
        /// Whether this call stored the job (false: the id was stored before).
        var isNew: Bool
        var error: (any Error)?
    }

    /// `record` with what the scheduler knows beyond the stored row: whether it runs, where, on which attempt.
    func current(_ record: JobRecord) -> JobRecord {
        guard !record.status.isFinal, let lease = scheduler.lease(of: record.id) else { return record }
        var current = record
        current.status = .running
        current.worker = lease.worker
        current.attempts = lease.attempt
        return current
    }

    /// Withdraws a queued job: it is taken off the queue first (so it cannot be placed during the write), then the
    /// refund is stored; a failed write puts it back in the queue, still paid for.
    private func cancel(_ id: JobID, by peer: PeerID) async throws -> JobRecord {
        let record = try await describe(id, for: peer)
        guard record.submitter == peer else {
            throw MatchmakerError.badRequest("only the submitter of job \(id) may cancel it")
        }
        guard !record.status.isFinal else {
            throw MatchmakerError.badRequest("job \(id) has already \(record.status.rawValue)")
        }
        guard scheduler.isQueued(id) || withdrawRuns(of: id) else {
            let worker = record.worker.map { " on worker \($0.short)" } ?? ""
            throw MatchmakerError.badRequest("job \(id) is running\(worker); only queued jobs can be cancelled")
        }
        _ = scheduler.cancel(id)
        let cancelled: JobRecord
        do {
            cancelled = try await store.settleFailureDurably(id, worker: nil, message: "cancelled by its submitter",
                                                             now: Self.nowMillis(), status: .cancelled)
        } catch {
            if let job = requests[id] { schedule(id, job) }
            throw error
        }
        untrack(id)
        logger.info("job cancelled", metadata: ["grid.job.id": "\(id)"])
        finished(id)
        return cancelled
    }

    /// A job as `peer` may see it: its output only for its submitter.
    private func describe(_ id: JobID, for peer: PeerID) async throws -> JobRecord {
        guard var record = try await store.read({ try $0.job(id) }) else { throw MatchmakerError.unknownJob(id) }
        if record.submitter != peer { record.output = nil }
        return withExplanation(current(record))
    }

    func withExplanation(_ record: JobRecord) -> JobRecord {
        guard record.status == .queued, let why = scheduler.explainWaiting(queuedRun(of: record.id) ?? record.id)
        else { return record }
        var explained = record
        explained.message = why
        return explained
    }

    /// Registers a waiter for the job; `final` says the stored record was already final when read. A job whose
    /// settlement is durable is no longer in `requests`, so one that settled since the read finishes at once too.
    private func subscribe(_ id: JobID, final: Bool) -> (token: UInt64, stream: AsyncStream<Void>) {
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        nextWaiter += 1
        if final || (requests[id] == nil && !scheduler.isQueued(id) && scheduler.lease(of: id) == nil) {
            continuation.finish()
        } else {
            waiters[id, default: [:]][nextWaiter] = continuation
        }
        return (nextWaiter, stream)
    }

    private func unsubscribe(_ id: JobID, token: UInt64) {
        waiters[id]?[token] = nil
        if waiters[id]?.isEmpty == true { waiters[id] = nil }
    }

    /// Wakes every client waiting for the job, and pushes its result to every connection following it.
    /// `record` is the job's final record when the caller has it (a settlement just committed), so followers get
    /// it without a read.
    func finished(_ id: JobID, record: JobRecord? = nil) {
        for waiter in (waiters.removeValue(forKey: id) ?? [:]).values { waiter.finish() }
        pushResult(id, record: record)
    }
}
