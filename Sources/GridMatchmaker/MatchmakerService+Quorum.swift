import GridCore

/// Redundant jobs: their runs on distinct workers, the quorum that decides them (`QuorumTally`), and placing any
/// job, redundant or not, with the scheduler.
extension MatchmakerService {
    /// Hands a stored job to the scheduler: once, or as the first runs of its quorum when it asks for redundancy.
    func schedule(_ id: JobID, _ job: PendingJob) {
        let compiled: SchedulableJob
        do {
            compiled = try SchedulableJob.compile(id: id, submitter: job.submitter, request: job.request)
        } catch {
            settle(id, .failure("its request is no longer valid: \(error)"))
            return
        }
        guard job.request.isRedundant else {
            carryOut(scheduler.jobSubmitted(compiled, now: .now))
            return
        }
        let tally = QuorumTally(job: id, redundancy: job.request.runs, quorum: job.request.quorumSize,
                                maxCredits: job.request.maxCredits)
        quorums[id] = tally
        startRuns(tally.initialRuns, of: compiled)
    }

    /// Submits runs of a redundant job to the scheduler, each a copy of the job under its run id.
    func startRuns(_ runs: [JobID], of job: SchedulableJob) {
        for run in runs {
            var copy = job
            copy.id = run
            copy.attempts = 0
            copy.failedOn = []
            copy.crashedOn = []
            carryOut(scheduler.jobSubmitted(copy, now: .now))
        }
    }

    /// A run's worker answered for good (an output, or a failure that retrying would not change).
    func runFinished(_ run: JobID, report: RunReport) {
        guard var tally = quorums[run.parentJob] else { return }
        let decision = tally.finished(run, report: report)
        quorums[run.parentJob] = tally
        recordRun(run, report: report, failure: nil)
        logger.info("run finished", metadata: [
            "grid.job.id": "\(run)", "grid.peer": "\(report.worker.short)",
            "grid.output": "\(report.outputDigestHex.map { "sha256 " + $0.prefix(16) } ?? "none")",
        ])
        carryOut(decision, for: run.parentJob)
    }

    /// A run gave up: it used its attempts, or no worker took it in time.
    func runFailed(_ run: JobID, reason: String) {
        guard var tally = quorums[run.parentJob] else { return }
        let decision = tally.failed(run, reason: reason)
        quorums[run.parentJob] = tally
        recordRun(run, report: nil, failure: reason)
        logger.info("run failed", metadata: ["grid.job.id": "\(run)", "grid.reason": "\(reason)"])
        carryOut(decision, for: run.parentJob)
    }

    private func recordRun(_ run: JobID, report: RunReport?, failure: String?) {
        let sink = storeEventSink
        store.enqueueRun(run, report: report, failure: failure) { error in
            if let error { sink.yield(.writeFailed(run, what: "run", reason: "\(error)")) }
        }
    }

    /// Carries out what the quorum decided.
    func carryOut(_ decision: QuorumTally.Decision, for job: JobID) {
        switch decision {
        case .wait:
            return
        case .launch(let runs):
            guard let pending = requests[job],
                  let compiled = try? SchedulableJob.compile(id: job, submitter: pending.submitter,
                                                             request: pending.request) else { return }
            logger.info("no quorum yet; more runs started", metadata: [
                "grid.job.id": "\(job)", "grid.runs": "\(runs.count)",
            ])
            startRuns(runs, of: compiled)
        case .settle(let settlement):
            let tally = quorums.removeValue(forKey: job)
            scheduler.redundantJobSettled(job, runs: tally?.allRuns ?? [])
            for run in settlement.runs {
                switch run.verdict {
                case .accepted: scheduler.recordStanding(.done, for: run.report.worker)
                case .disagreed: scheduler.recordStanding(.disagreed, for: run.report.worker)
                case .failed: break  // counted when the attempt failed, if it was the worker's fault
                }
            }
            storeStandingChanges()
            settle(job, settlement)
            logger.info(settlement.status == .succeeded ? "job succeeded" : "job failed", metadata: [
                "grid.job.id": "\(job)", "grid.reason": "\(settlement.message ?? "")",
            ])
        }
    }

    /// Withdraws a redundant job none of whose runs is on a worker; false when one is.
    func withdrawRuns(of job: JobID) -> Bool {
        guard let tally = quorums[job] else { return false }
        guard tally.running.isEmpty, tally.ended.isEmpty else { return false }
        quorums[job] = nil
        scheduler.redundantJobSettled(job, runs: tally.allRuns)
        return true
    }

    /// The run of a redundant job that stands for it in explanations: its first run still queued.
    func queuedRun(of job: JobID) -> JobID? {
        quorums[job]?.outstanding.sorted().first { scheduler.isQueued($0) }
    }
}
