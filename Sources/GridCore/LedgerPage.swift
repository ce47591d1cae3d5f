import Foundation

/// A replica's request for what it does not have yet (`Message.ledgerPull`).
public struct LedgerPull: Codable, Sendable, Hashable {
    /// The seq of the last entry the replica holds (0 for none).
    public var after: Int64
    /// The size of the checkpoint the replica last accepted (0 for none): the consistency proof starts there.
    public var knownSize: UInt64
    /// The most entries wanted in one page (the matchmaker sends at most `LedgerPage.maxEntries`).
    public var limit: Int

    public init(after: Int64, knownSize: UInt64, limit: Int = LedgerPage.maxEntries) {
        self.after = after
        self.knownSize = knownSize
        self.limit = limit
    }
}

/// The matchmaker's answer to a `LedgerPull` (`Message.ledgerPage`).
///
/// Entries are sent only up to the latest checkpoint, so every page can be checked against a signed root once the
/// replica holds all the entries it covers.
public struct LedgerPage: Codable, Sendable, Hashable {
    /// The most entries in one page.
    public static let maxEntries = 2_048

    /// The next entries after `LedgerPull.after`, as their canonical leaf bytes (docs/ledger.md, "The hash chain").
    public var entries: [Data]
    /// The latest signed checkpoint, as text; nil when the matchmaker has signed none yet.
    public var checkpoint: String?
    /// The consistency proof from `LedgerPull.knownSize` to the checkpoint's size (`ConsistencyProof.serialized`);
    /// nil when there is nothing to prove (no known size, or the same size).
    public var consistency: Data?
    /// The witnesses' cosignatures of `checkpoint` the matchmaker holds (absent when none).
    public var cosignatures: [LedgerCosignature]?

    public init(entries: [Data], checkpoint: String?, consistency: Data?, cosignatures: [LedgerCosignature]? = nil) {
        self.entries = entries
        self.checkpoint = checkpoint
        self.consistency = consistency
        self.cosignatures = cosignatures
    }
}

/// A witness's signature of a ledger checkpoint it verified (`Message.cosign`, and in `LedgerPage`): the witness
/// vouches that it holds the entries of that checkpoint and that they check out (docs/ledger.md, "Witnesses").
public struct LedgerCosignature: Codable, Sendable, Hashable {
    /// The size of the checkpoint cosigned.
    public var size: UInt64
    /// The witness (a replica's peer).
    public var witness: PeerID
    /// Ed25519 by the witness over the cosignature message of the checkpoint (`Cosignature.message(for:)`).
    public var signature: Data

    public init(size: UInt64, witness: PeerID, signature: Data) {
        self.size = size
        self.witness = witness
        self.signature = signature
    }
}
