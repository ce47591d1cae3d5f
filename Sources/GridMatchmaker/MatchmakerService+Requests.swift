import GridCore

/// Requests from clients: submit (one or many), status, wait, subscribe, cancel, listings, balances.
extension MatchmakerService {
    /// The answer to one request of `peer`'s, on its client connection `session`.
    func answer(_ request: Message, from peer: PeerID, session: UInt64) async -> Message {
        do {
            switch request {
            case .submit(let submission):
                let record = try accept([submission], from: peer)[0].get()
                return .job(withExplanation(try store.job(record.id) ?? record))
            case .submitMany(let submissions, let subscribe):
                guard submissions.count <= Message.maxBatch else {
                    throw MatchmakerError.badRequest("a batch may carry at most \(Message.maxBatch) submissions, "
                                                     + "got \(submissions.count)")
                }
                let results = accept(submissions, from: peer, following: subscribe ? session : nil)
                return .submitted(zip(submissions, results).map { submission, result in
                    switch result {
                    case .success(let record): return .accepted(withExplanation(record))
                    case .failure(let error): return .refused(submission.id, reason: "\(error)")
                    }
                })
            case .subscribe(let ids):
                return try followJobs(ids, from: peer, session: session)
            case .status(let id):
                return .job(try describe(id, for: peer))
            case .wait(let id, let timeoutMillis):
                _ = try describe(id, for: peer)
                let (token, stream) = subscribe(id)
                let limit = Duration.milliseconds(max(0, min(timeoutMillis, 86_400_000)))
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { for await _ in stream {} }
                    group.addTask { try? await Task.sleep(for: limit) }
                    await group.next()
                    group.cancelAll()
                }
                unsubscribe(id, token: token)
                return .job(try describe(id, for: peer))
            case .cancel(let id):
                return .job(try cancel(id, by: peer))
            case .listJobs:
                return .jobs(try store.jobs(submittedBy: peer).map { withExplanation($0) })
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

    /// Stores and queues submissions of `submitter`'s, each on its own: one refused does not stop the others.
    /// With `session`, every accepted job is followed there (its result pushed at once if it is already final).
    ///
    /// A submission seen before (same id, same submitter) is answered with the job stored then: resending is safe.
    func accept(_ submissions: [Submission], from submitter: PeerID,
                following session: UInt64? = nil) -> [Result<JobRecord, any Error>] {
        let compiled = submissions.map { submission in
            Result<SchedulableJob, any Error> {
                do {
                    return try SchedulableJob.compile(id: submission.id, submitter: submitter,
                                                      request: submission.request)
                } catch {
                    throw MatchmakerError.badRequest("\(error)")
                }
            }
        }
        let now = Self.nowMillis()
        // The one place submissions are stored, each with its signed escrow checked, one transaction each.
        let stored = zip(submissions, compiled).map { submission, job in
            job.flatMap { _ in Result { try store.insert(submission, from: submitter, now: now) } }
        }
        for (job, result) in zip(compiled, stored) {
            guard case .success(let job) = job, case .success(let record) = result else { continue }
            if let session { follow(record, on: session) }
            guard record.status == .queued, record.attempts == 0, !scheduler.isQueued(record.id) else { continue }
            logger.info("job stored", metadata: ["grid.job.id": "\(record.id)", "grid.capability": "\(record.capability)"])
            carryOut(scheduler.jobSubmitted(job, now: .now))
        }
        return stored
    }

    /// Withdraws a queued job: the refund is stored first, and only then is the job taken off the queue, so a
    /// failed write leaves it queued and paid for.
    private func cancel(_ id: JobID, by peer: PeerID) throws -> JobRecord {
        let record = try describe(id, for: peer)
        guard record.submitter == peer else {
            throw MatchmakerError.badRequest("only the submitter of job \(id) may cancel it")
        }
        guard !record.status.isFinal else {
            throw MatchmakerError.badRequest("job \(id) has already \(record.status.rawValue)")
        }
        guard scheduler.isQueued(id) else {
            let worker = record.worker.map { " on worker \($0.short)" } ?? ""
            throw MatchmakerError.badRequest("job \(id) is running\(worker); only queued jobs can be cancelled")
        }
        let cancelled = try store.settleFailure(id, worker: nil, message: "cancelled by its submitter",
                                                now: Self.nowMillis(), status: .cancelled)
        _ = scheduler.cancel(id)
        logger.info("job cancelled", metadata: ["grid.job.id": "\(id)"])
        finished(id)
        return cancelled
    }

    /// A job as `peer` may see it: its output only for its submitter.
    private func describe(_ id: JobID, for peer: PeerID) throws -> JobRecord {
        guard var record = try store.job(id) else { throw MatchmakerError.unknownJob(id) }
        if record.submitter != peer { record.output = nil }
        return withExplanation(record)
    }

    func withExplanation(_ record: JobRecord) -> JobRecord {
        guard record.status == .queued, let why = scheduler.explainWaiting(record.id) else { return record }
        var explained = record
        explained.message = why
        return explained
    }

    private func subscribe(_ id: JobID) -> (token: UInt64, stream: AsyncStream<Void>) {
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        nextWaiter += 1
        if let record = try? store.job(id), record.status.isFinal {
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
    func finished(_ id: JobID) {
        for waiter in (waiters.removeValue(forKey: id) ?? [:]).values { waiter.finish() }
        pushResult(id)
    }
}
