import GridCore

/// Requests from clients: submit, status, wait, cancel, listings, balances.
extension MatchmakerService {
    func answer(_ request: Message, from peer: PeerID) async -> Message {
        do {
            switch request {
            case .submit(let submission):
                return .job(try submit(submission, from: peer))
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

    private func withExplanation(_ record: JobRecord) -> JobRecord {
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

    /// Wakes every client waiting for the job.
    func finished(_ id: JobID) {
        for waiter in (waiters.removeValue(forKey: id) ?? [:]).values { waiter.finish() }
    }
}
