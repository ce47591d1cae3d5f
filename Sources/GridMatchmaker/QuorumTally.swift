import Foundation
import GridCore
import GridLedger

/// The runs of one redundant job and what they returned: decides when `quorum` of them agree, when more runs are
/// needed, and when the job fails. A pure value; the service feeds it the runs' ends and carries out its decisions.
///
/// Rules (docs/quorum.md): the job starts `redundancy` runs on distinct workers. It succeeds once `quorum` outputs are
/// byte-identical and no run is still running (a running run's answer is waited for, so an agreeing worker is paid).
/// It fails once `quorum` runs failed (the input is at fault). When agreement can no longer be reached by the runs
/// still out, more runs are started, up to `maxRuns` in all; past that, the job fails listing every run's digest.
public struct QuorumTally: Sendable, Hashable {
    /// What the service must do after a run ended.
    public enum Decision: Sendable, Hashable {
        /// Wait for the runs still out.
        case wait
        /// Start these new runs.
        case launch([JobID])
        /// The job is decided: settle it as `settlement`; runs still queued are to be withdrawn.
        case settle(Settlement)
    }

    public let job: JobID
    public let redundancy: Int
    public let quorum: Int
    /// The most runs started in all: twice the redundancy (at most 99).
    public let maxRuns: Int
    /// The most each worker is paid, the job's `maxCredits`.
    public let maxCredits: Int
    /// Runs started so far (run numbers 1 … launched).
    public private(set) var launched: Int
    /// Runs started and not ended, and of those, the ones on a worker now.
    public private(set) var outstanding: Set<JobID>
    public private(set) var running: Set<JobID> = []
    /// A run that ended: with the worker's report, or with why it gave up (`report` nil).
    public struct EndedRun: Sendable, Hashable {
        public var run: JobID
        public var report: RunReport?
        public var failure: String?
    }

    /// Runs that ended, in the order they ended.
    public private(set) var ended: [EndedRun] = []

    public init(job: JobID, redundancy: Int, quorum: Int, maxCredits: Int) {
        self.job = job
        self.redundancy = redundancy
        self.quorum = quorum
        self.maxCredits = maxCredits
        maxRuns = min(99, redundancy * 2)
        launched = redundancy
        outstanding = Set((1...redundancy).map { JobID(run: $0, of: job) })
    }

    /// The runs to start at submission.
    public var initialRuns: [JobID] { (1...redundancy).map { JobID(run: $0, of: job) } }

    /// Every run started so far.
    public var allRuns: [JobID] { (1...max(1, launched)).map { JobID(run: $0, of: job) } }

    /// Puts back the runs that had ended when the matchmaker stopped (from the store): every other run started so
    /// far is out again, none of them on a worker.
    public mutating func restore(_ runs: [EndedRun]) {
        let highest = runs.compactMap { $0.run.runNumber }.max() ?? 0
        launched = min(maxRuns, max(launched, highest))
        ended = runs
        running = []
        let done = Set(runs.map(\.run))
        outstanding = Set(allRuns.filter { !done.contains($0) })
    }

    /// A run went to a worker.
    public mutating func started(_ run: JobID) {
        guard outstanding.contains(run) else { return }
        running.insert(run)
    }

    /// A run is back in the queue (its worker left or did not answer, and it has attempts left).
    public mutating func requeued(_ run: JobID) {
        running.remove(run)
    }

    /// A run ended with the worker's report (an output, or a failure that retrying would not change).
    public mutating func finished(_ run: JobID, report: RunReport) -> Decision {
        end(run, report: report, failure: nil)
    }

    /// A run ended without a usable report: it used its attempts, or timed out in the queue.
    public mutating func failed(_ run: JobID, reason: String) -> Decision {
        end(run, report: nil, failure: reason)
    }

    private mutating func end(_ run: JobID, report: RunReport?, failure: String?) -> Decision {
        guard outstanding.remove(run) != nil else { return .wait }
        running.remove(run)
        ended.append(EndedRun(run: run, report: report, failure: failure))
        return decide()
    }

    /// Outputs by digest, in the order each digest was first returned.
    private var agreements: [(digest: [UInt8], runs: [Int])] {
        var groups: [(digest: [UInt8], runs: [Int])] = []
        for (index, entry) in ended.enumerated() {
            guard let digest = entry.report?.outputDigest else { continue }
            if let at = groups.firstIndex(where: { $0.digest == digest }) {
                groups[at].runs.append(index)
            } else {
                groups.append((digest, [index]))
            }
        }
        return groups
    }

    /// Runs whose worker reported a failure that retrying would not change (the input is likely at fault); runs
    /// that gave up without a report (no worker took them) are not among them.
    private var reportedFailures: Int {
        ended.filter { $0.report != nil && $0.report?.output == nil }.count
    }

    /// What to do now, from the runs that ended and those still out.
    public mutating func decide() -> Decision {
        let groups = agreements
        let best = groups.max { $0.runs.count < $1.runs.count }
        let failures = reportedFailures
        if let best, best.runs.count >= quorum {
            return running.isEmpty ? .settle(success(best.runs)) : .wait
        }
        if failures >= quorum {
            return running.isEmpty ? .settle(failure(reason: nil)) : .wait
        }
        let reachable = (best?.runs.count ?? 0) + outstanding.count
        guard reachable < quorum else { return .wait }
        let needed = quorum - reachable
        if launched + needed <= maxRuns {
            let new = (launched + 1...launched + needed).map { JobID(run: $0, of: job) }
            launched += needed
            outstanding.formUnion(new)
            return .launch(new)
        }
        return outstanding.isEmpty ? .settle(failure(reason: nil)) : .wait
    }

    private func success(_ agreeing: [Int]) -> Settlement {
        let accepted = Set(agreeing)
        var runs: [Settlement.Run] = []
        for (index, entry) in ended.enumerated() {
            guard let report = entry.report else { continue }
            let verdict: ResultRecord.Verdict = accepted.contains(index) ? .accepted
                : report.output == nil ? .failed : .disagreed
            runs.append(Settlement.Run(report: report, verdict: verdict))
        }
        // At most `redundancy` workers are paid (the escrow covers that many): the first whose outputs agreed, each
        // once (the ledger pays a worker at most once per job; placement never gives one worker two runs).
        var paid: Set<PeerID> = []
        let payments = agreeing.compactMap { index -> Settlement.Payment? in
            guard let report = ended[index].report, paid.count < redundancy, paid.insert(report.worker).inserted
            else { return nil }
            let amount = max(0, min(report.cost, maxCredits))
            return amount > 0 ? Settlement.Payment(worker: report.worker, amount: amount) : nil
        }
        let first = ended[agreeing[0]].report
        let others = runs.filter { $0.verdict != .accepted }.map { "\($0.report.worker.short) \($0.verdict)" }
        let message = "quorum \(quorum) of \(redundancy) reached: \(agreeing.count) of \(ended.count) runs agreed"
            + (others.isEmpty ? "" : " (\(others.joined(separator: ", ")))")
        return Settlement(status: .succeeded, output: first?.output, worker: first?.worker, message: message,
                          runs: runs, payments: payments)
    }

    private func failure(reason: String?) -> Settlement {
        var runs: [Settlement.Run] = []
        var lines: [String] = []
        for entry in ended {
            if let report = entry.report {
                let verdict: ResultRecord.Verdict = report.output == nil ? .failed : .disagreed
                runs.append(Settlement.Run(report: report, verdict: verdict))
                if let digest = report.outputDigestHex {
                    lines.append("worker \(report.worker.short) output sha256 \(digest)")
                } else {
                    lines.append("worker \(report.worker.short) failed: \(report.failure ?? "no reason")")
                }
            } else {
                lines.append("\(entry.run) failed: \(entry.failure ?? "no reason")")
            }
        }
        let failures = reportedFailures
        let head = failures >= quorum
            ? "\(failures) of \(ended.count) runs failed (quorum \(quorum) of \(redundancy))"
            : "no \(quorum) outputs agreed after \(ended.count) runs (quorum \(quorum) of \(redundancy), at most "
                + "\(maxRuns) runs)"
        return Settlement(status: .failed, output: nil, worker: runs.last?.report.worker,
                          message: head + ": " + lines.joined(separator: "; "), runs: runs, payments: [])
    }
}
