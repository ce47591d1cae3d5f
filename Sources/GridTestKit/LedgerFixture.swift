import GridCore
import GridCrypto
import GridLedgerModel

/// Identities and entry builders shared by the ledger tests (GridLedgerModelTests, GridLedgerTests).
public struct LedgerFixture: Sendable {
    public let operatorIdentity = Identity.generate()
    public let alice = Identity.generate()
    public let bob = Identity.generate()
    public let worker = Identity.generate()

    public var operatorID: PeerID { operatorIdentity.peerID }

    public init() {}

    public func grant(_ amount: Int64, to peer: PeerID, at time: Int64 = 1_000) throws -> SignedEntry {
        try EntryBody(kind: .grant, from: .mint, to: .peer(peer), amount: amount, author: operatorID, timestamp: time)
            .signed(by: operatorIdentity)
    }

    public func escrow(_ amount: Int64, job: String, by payer: Identity, at time: Int64 = 2_000) throws -> SignedEntry {
        try EntryBody(
            kind: .escrow, from: .peer(payer.peerID), to: .escrow(job: job), amount: amount, job: job,
            author: payer.peerID, timestamp: time
        ).signed(by: payer)
    }

    public func payment(_ amount: Int64, job: String, to peer: PeerID, at time: Int64 = 3_000) throws -> SignedEntry {
        try EntryBody(
            kind: .payment, from: .escrow(job: job), to: .peer(peer), amount: amount, job: job, author: operatorID,
            timestamp: time
        ).signed(by: operatorIdentity)
    }

    public func refund(_ amount: Int64, job: String, to peer: PeerID, at time: Int64 = 4_000) throws -> SignedEntry {
        try EntryBody(
            kind: .refund, from: .escrow(job: job), to: .peer(peer), amount: amount, job: job, author: operatorID,
            timestamp: time
        ).signed(by: operatorIdentity)
    }

    /// Escrows of `amount` each for `jobs`, signed by `payer` with one batch signature (`BatchSignature`), as
    /// received from elsewhere: nothing marks them as known valid.
    public func batchEscrows(_ amount: Int64, jobs: [String], by payer: Identity, at time: Int64 = 2_000) throws
        -> [SignedEntry] {
        let bodies = try jobs.map { job in
            try EntryBody.escrow(job: job, amount: amount, submitter: payer.peerID, timestamp: time)
        }
        return try BatchSignature.sign(bodies, by: payer).map {
            try SignedEntry(body: $0.body, signatureField: $0.signatureField)
        }
    }

    /// A valid history with batch-signed escrows: grants, three of alice's jobs escrowed under one signature and one
    /// of bob's under a plain one, the first paid with a refund of the rest and the others refunded in full.
    public func batchHistory() throws -> [SignedEntry] {
        [try grant(100, to: alice.peerID), try grant(50, to: bob.peerID)]
            + (try batchEscrows(10, jobs: ["job-a", "job-b", "job-c"], by: alice))
            + [
                try escrow(20, job: "job-d", by: bob),
                try payment(8, job: "job-a", to: worker.peerID),
                try refund(2, job: "job-a", to: alice.peerID),
                try refund(10, job: "job-b", to: alice.peerID),
                try refund(10, job: "job-c", to: alice.peerID),
                try refund(20, job: "job-d", to: bob.peerID),
            ]
    }

    /// A small valid history: grants, two jobs escrowed, one paid with a refund of the rest, one refunded in full.
    public func history() throws -> [SignedEntry] {
        [
            try grant(100, to: alice.peerID),
            try grant(50, to: bob.peerID),
            try escrow(30, job: "job-1", by: alice),
            try escrow(20, job: "job-2", by: bob),
            try payment(25, job: "job-1", to: worker.peerID),
            try refund(5, job: "job-1", to: alice.peerID),
            try refund(20, job: "job-2", to: bob.peerID),
        ]
    }
}

extension PeerID {
    /// A peer id whose 32 key bytes are all `byte`, for fixed encodings.
    public static func repeating(_ byte: UInt8) -> PeerID {
        PeerID(publicKey: [UInt8](repeating: byte, count: 32))
    }
}
