import GridCore
import GridCrypto
import GridMerkle

/// The walk over a ledger's entries in seq order that every verification runs, with no I/O: `LedgerVerifier` over
/// the SQLite file, and anyone holding the entries in memory (`LedgerReplay+Sequence.swift`).
///
/// Each entry arrives as a `PreparedEntry` (decoded, its hashes computed, its signature checked or known to be
/// covered); `check(_:)` then checks what depends on the entries before it: the seq is the next one, the signature
/// (when checked) is valid, the previous hash links, the stored hash is the content's, the credit rules hold, and
/// the Merkle tree grows by its leaf. `checkCheckpoint` compares a signed checkpoint with the rebuilt tree.
/// The nodes the rebuilt tree completes after `nodesFrom` entries are kept, level by level, so the caller can
/// compare them with the stored tree in one pass.
public struct LedgerReplay {
    package let operatorID: PeerID
    package private(set) var count: Int64 = 0
    package private(set) var prevHash = LedgerEntry.genesisHash
    package private(set) var sheet = BalanceSheet()
    package private(set) var tree = CompactMerkleTree()
    /// The rebuilt nodes completed after the first `nodesFrom` entries: `nodes[l][k]` is node (l, offset(l) + k).
    package private(set) var nodes: [[MerkleHash]] = []
    /// Nodes completed by the first `nodesFrom` entries are not kept (the caller trusts them).
    package let nodesFrom: Int64
    private var lastCheckpointTime: UInt64 = 0
    private var completed: [MerkleNode] = []
    /// Batch signatures checked by `append(_:)`, so a batch's entries cost one Ed25519 check between them.
    let signatures = SignatureCache(capacity: 256)

    public init(operator operatorID: PeerID, keepingNodesAfter nodesFrom: Int64 = 0) {
        self.operatorID = operatorID
        self.nodesFrom = max(0, nodesFrom)
    }

    /// The index of the first kept node at `level`.
    package func nodeOffset(level: Int) -> UInt64 {
        level >= 64 ? 0 : UInt64(nodesFrom) >> UInt64(level)
    }

    /// Checks the next entry; returns the failure (naming its seq) when it is bad, and changes nothing then.
    package mutating func check(_ prepared: PreparedEntry) -> LedgerVerification.Failure? {
        let expected = count + 1
        let entry = prepared.entry
        guard entry.seq == expected else {
            return .init(seq: expected, reason: Self.missing(expected, next: entry.seq))
        }
        if prepared.signatureValid == false {
            return .init(seq: expected, reason: "its signature is not a valid signature by its author, peer "
                + "\(entry.body.author.short), so its content or signature was altered.")
        }
        guard entry.prevHash == prevHash else {
            let previous = expected == 1 ? "32 zero bytes" : "the hash of entry \(expected - 1)"
            return .init(seq: expected, reason: "its previous hash is not \(previous), so entries were edited, removed "
                + "or reordered.")
        }
        guard entry.hash == prepared.computedHash else {
            return .init(seq: expected, reason: "its stored hash is not the hash of its content.")
        }
        do {
            try sheet.apply(entry.body, operator: operatorID)
        } catch {
            return .init(seq: expected, reason: "it breaks a ledger rule. \(error)")
        }
        completed.removeAll(keepingCapacity: true)
        do {
            try tree.append(leafHash: prepared.leafHash, completed: &completed)
        } catch {
            return .init(seq: expected, reason: "its leaf cannot be added to the Merkle tree: \(error)")
        }
        if expected > nodesFrom {
            for node in completed {
                while nodes.count <= node.level { nodes.append([]) }
                nodes[node.level].append(node.hash)
            }
        }
        count = expected
        prevHash = prepared.computedHash
        return nil
    }

    /// Checks a stored checkpoint whose size is the number of entries checked so far.
    ///
    /// `validity` is the outcome of checking its text, signature and origin (done beforehand, on all cores).
    package mutating func checkCheckpoint(size: Int64, _ validity: CheckpointValidity) -> LedgerVerification.Failure? {
        let signed: SignedCheckpoint
        switch validity {
        case .invalid(let reason):
            return .init(seq: nil, reason: "The checkpoint of \(size) entries is not valid: \(reason)")
        case .valid(let checkpoint):
            signed = checkpoint
        }
        let checkpoint = signed.checkpoint
        guard checkpoint.size == UInt64(size) else {
            return .init(seq: nil, reason: "The checkpoint stored under \(size) entries is for \(checkpoint.size).")
        }
        guard checkpoint.root == tree.root else {
            return .init(seq: nil, reason: "The checkpoint of \(size) entries has root \(checkpoint.root.hex.prefix(16))… "
                + "but the entries give \(tree.root.hex.prefix(16))…: entries up to \(size) were changed after it was "
                + "signed.")
        }
        guard checkpoint.timestamp >= lastCheckpointTime else {
            return .init(seq: nil, reason: "The checkpoint of \(size) entries is older than the one before it.")
        }
        lastCheckpointTime = checkpoint.timestamp
        return nil
    }

    package static func missing(_ expected: Int64, next seq: Int64) -> String {
        seq > expected
            ? "it is missing; the next stored entry is \(seq)."
            : "the entries are out of order (entry \(seq) follows entry \(expected - 1))."
    }
}

/// A stored checkpoint's text, signature and origin, checked before the walk reaches its size.
package enum CheckpointValidity: Sendable {
    case valid(SignedCheckpoint)
    /// Why it is not valid, as a sentence fragment.
    case invalid(String)

    /// Parses `text` and checks its signature by `operatorID` and its origin.
    package init(text: String, operator operatorID: PeerID) {
        do {
            let signed = try SignedCheckpoint(parsing: text)
            try signed.verify(publicKey: operatorID.publicKey)
            guard signed.checkpoint.origin == LedgerLog.origin(of: operatorID) else {
                self = .invalid("it names another log: \(signed.checkpoint.origin).")
                return
            }
            self = .valid(signed)
        } catch {
            self = .invalid("\(error)")
        }
    }
}

/// An entry as read, with the work that needs no other entry done: its canonical leaf bytes, their SHA-256 (the
/// chain hash), their Merkle leaf hash, and its signature check (nil when the signature is covered, not checked).
package struct PreparedEntry: Sendable {
    package let entry: LedgerEntry
    package let computedHash: [UInt8]
    package let leafHash: MerkleHash
    package let signatureValid: Bool?

    /// Computes the hashes, and checks the signature when `checkSignature` is true (a batch signature found valid
    /// before in `cache` is not checked again).
    package init(_ entry: LedgerEntry, checkSignature: Bool, cache: SignatureCache? = nil) {
        let body = entry.body.canonicalBytes
        let leaf = LedgerEntry.leafBytes(
            prevHash: entry.prevHash, seq: entry.seq, canonicalBody: body, signatureField: entry.signed.signatureField)
        self.entry = entry
        computedHash = Digest.sha256(leaf)
        leafHash = TreeHasher.leafHash(leaf)
        signatureValid = checkSignature ? entry.signed.isSignatureValid(canonicalBody: body, cache: cache) : nil
    }
}
