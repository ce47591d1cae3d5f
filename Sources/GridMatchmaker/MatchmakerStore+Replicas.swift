import Foundation
import GRDB
import GridCore
import GridLedger

/// What the matchmaker serves to replicas and receipt holders.
extension MatchmakerStore {
    /// The entries after `pull.after` up to the latest checkpoint (at most `LedgerPage.maxEntries`), that
    /// checkpoint, and the consistency proof from `pull.knownSize` to it, read in one transaction.
    func ledgerPage(_ pull: LedgerPull) throws -> LedgerPage {
        guard pull.after >= 0, pull.limit >= 1 else {
            throw MatchmakerError.badRequest("a ledger pull needs after >= 0 and limit >= 1")
        }
        return try database.read { db in
            guard let latest = try Ledger.latestCheckpoint(in: db) else {
                return LedgerPage(entries: [], checkpoint: nil, consistency: nil)
            }
            let size = latest.checkpoint.size
            let count = min(Int64(min(pull.limit, LedgerPage.maxEntries)), max(0, Int64(size) - pull.after))
            let entries = count > 0 ? try Ledger.entries(after: pull.after, limit: Int(count), in: db) : []
            var consistency: Data?
            if pull.knownSize > 0, pull.knownSize < size {
                consistency = Data(try Ledger.consistencyProof(from: pull.knownSize, to: size, in: db).serialized)
            }
            let cosignatures = try Ledger.cosignatures(size: size, in: db)
            return LedgerPage(entries: entries.map { Data($0.leafBytes) }, checkpoint: latest.serialized,
                              consistency: consistency, cosignatures: cosignatures.isEmpty ? nil : cosignatures)
        }
    }

    /// Stores a witness's cosignature, sent by the witness itself; returns how many witnesses cosigned that checkpoint.
    func cosign(_ cosignature: LedgerCosignature, from sender: PeerID) async throws -> Int {
        guard cosignature.witness == sender else {
            throw MatchmakerError.badRequest("a peer may send only its own cosignatures")
        }
        do {
            return try await writer.write { db in try Ledger.addCosignature(cosignature, in: db) }
        } catch let error as LedgerError {
            throw MatchmakerError.badRequest("\(error)")
        }
    }

    /// The job receipt of `job` as JSON (every entry of the job, docs/ledger.md), for its submitter or a worker that
    /// ran it (paid or not: a worker outvoted in a quorum may want the proof of its result too).
    func receipt(for job: JobID, requester: PeerID) throws -> Data {
        try database.read { db in
            let entries = try Ledger.entries(forJob: job.rawValue, in: db)
            let parties = Set(entries.compactMap { entry -> PeerID? in
                switch entry.body.kind {
                case .escrow: return entry.body.from.peer
                case .payment, .result: return entry.body.to.peer
                default: return nil
                }
            })
            guard parties.contains(requester) else {
                throw MatchmakerError.badRequest("only the submitter of job \(job) and the workers that ran it may "
                    + "fetch its receipt")
            }
            return Data(try Ledger.jobReceipt(forJob: job.rawValue, in: db).json.utf8)
        }
    }
}
