import Foundation

/// A job submission: the request plus the submitter's signed escrow of `maxCredits`.
public struct Submission: Hashable, Sendable, Codable {
    public var id: JobID
    public var request: JobRequest
    /// Unix milliseconds the submitter put in its escrow entry.
    public var escrowTimestamp: Int64
    /// The submitter's Ed25519 signature over the escrow entry's canonical bytes.
    public var escrowSignature: Data

    public init(id: JobID, request: JobRequest, escrowTimestamp: Int64, escrowSignature: Data) {
        self.id = id
        self.request = request
        self.escrowTimestamp = escrowTimestamp
        self.escrowSignature = escrowSignature
    }
}
