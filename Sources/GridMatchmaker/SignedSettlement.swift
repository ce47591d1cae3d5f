import GridCore
import GridCrypto
import GridLedger

/// The ledger entries that settle one job, built and signed by the operator with one batch signature: a result per run
/// (or one saying why the job failed without a run), the payments, and the refund of what they leave of the escrow.
///
/// Built from what the job's row holds (capability, escrow, submitter). The matchmaker builds them on its actor
/// before queueing the write, so the group-commit writer does not sign; the writer uses them only when the row
/// holds what they were built from, and builds them itself otherwise (`MatchmakerStore.settle`).
struct SignedSettlement: Sendable {
    let capability: String
    let escrowed: Int
    let submitter: PeerID
    /// Credits the payments move in all.
    let paid: Int
    let entries: [SignedEntry]

    init(job id: JobID, _ settlement: Settlement, capability: String, escrowed: Int, submitter: PeerID, now: Int64,
         identity: Identity) throws {
        let job = id.rawValue
        let author = identity.peerID
        var bodies: [EntryBody] = []
        if settlement.runs.isEmpty {
            let record = try ResultRecord(
                capability: capability, capabilityVersion: "", plugin: "", pluginVersion: "", pluginDigest: nil,
                outputDigest: nil, failure: Self.cut(settlement.message ?? settlement.status.rawValue), cpuMillis: 0,
                attempt: 0, verdict: .failed)
            bodies.append(try EntryBody(kind: .result, from: .escrow(job: job), to: .escrow(job: job), amount: 0,
                                        job: job, author: author, timestamp: now, result: record))
        }
        for run in settlement.runs {
            let report = run.report
            let record = try ResultRecord(
                capability: capability, capabilityVersion: report.capabilityVersion, plugin: report.plugin,
                pluginVersion: report.pluginVersion, pluginDigest: report.pluginHash.flatMap(Self.digest),
                outputDigest: report.outputDigest, failure: report.failure.map(Self.cut),
                cpuMillis: Int64(report.cpuMillis), attempt: UInt32(clamping: report.attempt), verdict: run.verdict)
            bodies.append(try EntryBody(kind: .result, from: .escrow(job: job), to: .peer(report.worker), amount: 0,
                                        job: job, author: author, timestamp: now, result: record))
        }
        var paid = 0
        for payment in settlement.payments {
            // Capped by what the escrow still holds (a settlement never asks for more; this keeps the rule local).
            let amount = min(payment.amount, escrowed - paid)
            guard amount > 0 else { continue }
            bodies.append(try EntryBody(kind: .payment, from: .escrow(job: job), to: .peer(payment.worker),
                                        amount: Int64(amount), job: job, author: author, timestamp: now))
            paid += amount
        }
        if escrowed - paid > 0 {
            let memo = settlement.status == .succeeded ? "unused escrow"
                : settlement.status == .cancelled ? "job cancelled" : "job failed"
            bodies.append(try EntryBody(kind: .refund, from: .escrow(job: job), to: .peer(submitter),
                                        amount: Int64(escrowed - paid), job: job, author: author, timestamp: now,
                                        memo: memo))
        }
        self.capability = capability
        self.escrowed = escrowed
        self.submitter = submitter
        self.paid = paid
        // One signature for the job's result, payments and refund (docs/ledger.md, "Batch signatures"): the operator
        // signs once per job, and a replica checks once per job, instead of once per entry.
        entries = try BatchSignature.sign(bodies, by: identity)
    }

    /// Whether these entries were built from a row holding exactly this.
    func fits(capability: String, escrowed: Int, submitter: PeerID) -> Bool {
        self.capability == capability && self.escrowed == escrowed && self.submitter == submitter
    }

    /// A reason as a result records it: at most `ResultRecord.maximumFailureLength` bytes, cut on a character.
    private static func cut(_ text: String) -> String {
        guard text.utf8.count > ResultRecord.maximumFailureLength else { return text }
        var cut = ""
        for character in text {
            guard cut.utf8.count + character.utf8.count <= ResultRecord.maximumFailureLength - 3 else { break }
            cut.append(character)
        }
        return cut + "…"
    }

    private static func digest(_ hex: String) -> [UInt8]? {
        guard let bytes = Hex.decode(hex), bytes.count == 32 else { return nil }
        return bytes
    }
}
