import Foundation
import GridCore
import GridLedger

/// Everything that settling one job writes, decided before the store is touched: a result entry for each run with
/// its verdict, the payments, the job's final state. The store adds the refund of whatever the payments leave.
public struct Settlement: Sendable, Hashable {
    /// One run as the ledger records it.
    public struct Run: Sendable, Hashable {
        public var report: RunReport
        public var verdict: ResultRecord.Verdict
    }

    /// Credits from the escrow to a worker.
    public struct Payment: Sendable, Hashable {
        public var worker: PeerID
        public var amount: Int
    }

    public var status: JobStatus
    /// The job's result, on success.
    public var output: Data?
    /// The worker shown on the job's row: the one whose output is the result, or the last that ran it.
    public var worker: PeerID?
    /// Why it failed (or, for a quorum, how the runs went).
    public var message: String?
    public var runs: [Run]
    public var payments: [Payment]

    /// A job run once whose output is its result: the worker is paid its price, capped at `maxCredits`.
    public static func success(_ report: RunReport, maxCredits: Int) -> Settlement {
        let paid = max(0, min(report.cost, maxCredits))
        return Settlement(
            status: .succeeded, output: report.output, worker: report.worker, message: nil,
            runs: [Run(report: report, verdict: .accepted)],
            payments: paid > 0 ? [Payment(worker: report.worker, amount: paid)] : [])
    }

    /// A job that failed (or was cancelled): nothing is paid; `report` is the attempt that failed it, if one did.
    public static func failure(_ message: String, report: RunReport? = nil, worker: PeerID? = nil,
                               status: JobStatus = .failed) -> Settlement {
        Settlement(status: status, output: nil, worker: report?.worker ?? worker, message: message,
                   runs: report.map { [Run(report: $0, verdict: .failed)] } ?? [], payments: [])
    }

    /// Credits paid in all.
    public var paid: Int { payments.reduce(0) { $0 + $1.amount } }
}
