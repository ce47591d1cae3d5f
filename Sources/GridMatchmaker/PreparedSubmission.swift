import Foundation
import GridCore
import GridCrypto
import GridLedger

/// The part of storing a submission that needs no database: its escrow entry with the signature checked, and its
/// request encoded for the job row. Worked out on the submitting connection's task, so the group-commit writer, one
/// thread for the whole grid, does not spend an Ed25519 check and a JSON encoding per job (docs/PERFORMANCE.md).
struct PreparedSubmission: Sendable {
    /// The escrow as signed by the submitter; `knownValid` when its signature checked out here (otherwise the ledger
    /// checks it again and refuses it, as it always did).
    let escrow: SignedEntry
    /// The request as the `jobs.request` column stores it.
    let request: Data

    /// Checks the escrow's signature: a plain one, or a batch signature (`BatchSignature`) whose one Ed25519 check
    /// `cache` remembers for the batch's other submissions.
    init(_ submission: Submission, from submitter: PeerID, cache: SignatureCache?) throws {
        let body = try EntryBody.escrow(job: submission.id.rawValue, amount: Int64(submission.request.escrowCredits),
                                        submitter: submitter, timestamp: submission.escrowTimestamp)
        let field = Array(submission.escrowSignature)
        if let received = try? SignedEntry(body: body, signatureField: field) {
            let valid = received.isSignatureValid(cache: cache)
            escrow = SignedEntry(body: body, signature: received.signature, batchProof: received.batchProof,
                                 knownValid: valid)
        } else {
            // Not even the layout of a signature: the ledger refuses it as a bad signature, naming the submitter.
            escrow = SignedEntry(body: body, signature: field)
        }
        request = try JSONEncoder().encode(submission.request)
    }
}
