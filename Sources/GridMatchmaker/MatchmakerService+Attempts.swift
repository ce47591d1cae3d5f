import Foundation
import GridCore

/// The attempt history behind `grid explain`: each attempt's end queued for the group commit as it happens, and the
/// explanation put together from the store and the scheduler.
extension MatchmakerService {
    /// Records how the attempt an outcome answers ended (called for the worker holding its lease).
    func recordAttemptEnd(_ outcome: JobOutcome) {
        let ended: AttemptOutcome
        let reason: String?
        if let output = outcome.output, output.count <= JobRequest.maxOutputBytes {
            (ended, reason) = (.succeeded, nil)
        } else if outcome.output != nil {
            (ended, reason) = (.failed, "the output is larger than \(JobRequest.maxOutputBytes) bytes")
        } else {
            ended = outcome.isCrash ? .crashed : .failed
            reason = outcome.error ?? "the worker reported a failure without a reason"
        }
        enqueueAttemptEnd(outcome.job, attempt: outcome.attempt, ended, reason: reason, output: outcome.output)
    }

    /// Records the attempts running on `peer` as lost (it disconnected, or registered again).
    func recordAttemptsLost(on peer: PeerID, reason: String) {
        for (job, lease) in scheduler.leases(heldBy: peer) {
            enqueueAttemptEnd(job, attempt: lease.attempt, .lost, reason: reason, output: nil)
        }
    }

    /// Records the attempts whose lease the tick at `now` is about to find run out as timed out.
    func recordAttemptsTimedOut(now: ContinuousClock.Instant) {
        for (job, lease) in scheduler.leasesExpiring(by: now) {
            enqueueAttemptEnd(job, attempt: lease.attempt, .timedOut,
                              reason: "worker \(lease.worker.short) did not answer before the lease ran out",
                              output: nil)
        }
    }

    private func enqueueAttemptEnd(_ id: JobID, attempt: Int, _ outcome: AttemptOutcome, reason: String?,
                                   output: Data?) {
        let sink = storeEventSink
        store.enqueueAttemptEnd(id, attempt: attempt, outcome: outcome, reason: reason, output: output,
                                now: Self.nowMillis()) { error in
            if let error { sink.yield(.writeFailed(id, what: "attempt end", reason: "\(error)")) }
        }
    }

    /// `grid explain`: the job's attempts and, while it waits, its request against the connected workers. Only its
    /// submitter may ask: the answer names the workers it ran on and the policies that refuse it.
    func explain(_ id: JobID, for peer: PeerID) async throws -> JobExplanation {
        guard let stored = try await store.read({ try $0.job(id) }) else { throw MatchmakerError.unknownJob(id) }
        guard stored.submitter == peer else {
            throw MatchmakerError.badRequest("only the submitter of job \(id) may ask for its explanation")
        }
        let attempts = try await store.read { try $0.attempts(of: id) }
        // Read again after the awaits: the job may have been placed or settled meanwhile.
        let record = current(stored)
        var explanation = JobExplanation(job: id, status: record.status, capability: record.capability,
                                         version: record.version, message: record.message, attempts: attempts)
        if !record.status.isFinal, let waiting = scheduler.explainQueued(id, now: .now) {
            // A redundant job some of whose runs are running stays running, with its waiting run explained.
            if scheduler.isQueued(id) || record.status == .queued {
                explanation.status = .queued
                explanation.message = waiting.summary
            }
            explanation.waiting = waiting
        }
        return explanation
    }
}
