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

    init(_ submission: Submission, from submitter: PeerID) throws {
        let body = try EntryBody.escrow(job: submission.id.rawValue, amount: Int64(submission.request.escrowCredits),
                                        submitter: submitter, timestamp: submission.escrowTimestamp)
        let signature = Array(submission.escrowSignature)
        let valid = SignatureVerifier.isValid(signature: signature, of: body.canonicalBytes,
                                              publicKey: submitter.publicKey)
        escrow = SignedEntry(body: body, signature: signature, knownValid: valid)
        request = try JSONEncoder().encode(submission.request)
    }
}
