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
                // At normal priority, unlike the replica's own work (docs/ledger.md, "Replicas run on idle cores"): a
                // read starved on an idle-priority thread would hold its snapshot and grow the WAL meanwhile.
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

    /// `record` with what the scheduler knows beyond the stored row: whether it runs, where, on which attempt.
    func current(_ record: JobRecord) -> JobRecord {
        // A voided early run under the same id is not this job's (docs/scheduling.md): the job waits for it, queued.
        guard !record.status.isFinal, voided[record.id] == nil, let lease = scheduler.lease(of: record.id) else {
            return record
        }
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
        guard scheduler.isQueued(id) || (voided[id] != nil && requests[id] != nil) || withdrawRuns(of: id) else {
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
