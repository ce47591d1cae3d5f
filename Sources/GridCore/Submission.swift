import Foundation

/// A job submission: the request plus the submitter's signed escrow of `maxCredits`.
public struct Submission: Hashable, Sendable, Codable {
    public var id: JobID
    public var request: JobRequest
    /// Unix milliseconds the submitter put in its escrow entry.
    public var escrowTimestamp: Int64
    /// The escrow entry's signature field: the submitter's Ed25519 signature over its canonical bytes (64 bytes), or
    /// over the root of a batch of escrows followed by the proof that places this one in it (docs/ledger.md, "Batch
    /// signatures").
    public var escrowSignature: Data

    public init(id: JobID, request: JobRequest, escrowTimestamp: Int64, escrowSignature: Data) {
        self.id = id
        self.request = request
        self.escrowTimestamp = escrowTimestamp
        self.escrowSignature = escrowSignature
    }
}
