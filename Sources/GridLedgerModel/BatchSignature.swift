import GridCore
import GridCrypto
import GridMerkle

/// Many entry bodies signed with one Ed25519 signature (docs/ledger.md, "Batch signatures").
///
/// The signer builds an RFC 9162 Merkle tree whose leaves are the bodies' canonical bytes, in order, and signs
/// `domain ‖ batch size (u64 BE) ‖ root` once. The size is signed because proofs for different sizes (and so leaf
/// indices) can lead to the same root with the same hashes: signed, it pins both, and an entry's signature field has
/// exactly one valid form. Each body is then stored with that signature and its inclusion proof in the tree, so it can
/// still be checked on its own (a receipt holds one entry), while a verifier that meets the same signature again
/// needs only the proof's few hashes (`SignatureCache`). A client signs the escrows of a submitted batch this way.
///
/// The signed message starts with ASCII text, never with the version byte 1 that starts every canonical body, so a
/// batch signature can never pass as a plain signature of a body, nor the other way round.
public enum BatchSignature {
    /// The most bodies one signature covers; a proof is then at most 12 hashes.
    public static let maximumSize = 4_096
    /// The batch sizes a proof may name: one body alone is signed plainly, never as a batch.
    static let sizes: ClosedRange<UInt64> = 2...UInt64(maximumSize)

    /// What the batch's signature signs before the root.
    static let domain = Array("peergrid/ledger/batch-signature/v1\n".utf8)

    /// The bytes the signer signs for a batch of `size` bodies whose tree has `root`.
    static func message(root: MerkleHash, size: UInt64) -> [UInt8] {
        var writer = ByteWriter(capacity: domain.count + 8 + MerkleHash.length)
        writer.raw(domain)
        writer.u64(size)
        writer.raw(root.bytes)
        return writer.bytes
    }

    /// The root that `proof` leads to from the body whose canonical bytes are `canonicalBody`, or nil when the proof
    /// does not fit its own index and size or names a size outside `sizes`.
    static func root(of canonicalBody: [UInt8], proof: InclusionProof) -> MerkleHash? {
        guard sizes.contains(proof.treeSize) else { return nil }
        return try? proof.root(leafHash: TreeHasher.leafHash(canonicalBody))
    }

    /// Signs all of `bodies` with one signature by `identity`, which must be the author of each; one body alone is
    /// signed plainly. The result is in the order of `bodies`.
    public static func sign(_ bodies: [EntryBody], by identity: Identity) throws(LedgerError) -> [SignedEntry] {
        guard bodies.count > 1 else {
            return try bodies.map { body throws(LedgerError) in try body.signed(by: identity) }
        }
        guard bodies.count <= maximumSize else {
            throw .invalidArgument("bodies", reason: "one signature covers at most \(maximumSize) bodies, "
                + "not \(bodies.count)")
        }
        if let stranger = bodies.first(where: { $0.author != identity.peerID }) {
            throw .wrongSigner(author: stranger.author, signer: identity.peerID)
        }
        var tree = Tree(leaves: bodies.map { TreeHasher.leafHash($0.canonicalBytes) })
        let size = bodies.count
        let signature = identity.sign(message(root: tree.root(start: 0, count: size), size: UInt64(size)))
        return bodies.indices.map { index in
            let proof = InclusionProof(leafIndex: UInt64(index), treeSize: UInt64(size),
                                       hashes: tree.path(index, start: 0, count: size))
            return SignedEntry(body: bodies[index], signature: signature, batchProof: proof, knownValid: true)
        }
    }

    /// The RFC 9162 Merkle tree of a batch's leaf hashes (the same tree `MerkleTree` builds), held in memory with each
    /// subtree's root computed once: a batch is small, and a node store is more than it needs.
    private struct Tree {
        let leaves: [MerkleHash]
        private var roots: [Int: MerkleHash] = [:]

        init(leaves: [MerkleHash]) {
            self.leaves = leaves
        }

        /// MTH of the `count` leaves from `start` (RFC 9162 §2.1.1).
        mutating func root(start: Int, count: Int) -> MerkleHash {
            guard count > 1 else { return leaves[start] }
            let key = start << 32 | count
            if let known = roots[key] { return known }
            let split = Self.split(count)
            let hash = TreeHasher.nodeHash(root(start: start, count: split),
                                           root(start: start + split, count: count - split))
            roots[key] = hash
            return hash
        }

        /// PATH of leaf `index` among the `count` leaves from `start` (RFC 9162 §2.1.3.1), from the leaf up.
        mutating func path(_ index: Int, start: Int, count: Int) -> [MerkleHash] {
            guard count > 1 else { return [] }
            let split = Self.split(count)
            if index < split {
                return path(index, start: start, count: split) + [root(start: start + split, count: count - split)]
            }
            return path(index - split, start: start + split, count: count - split) + [root(start: start, count: split)]
        }

        /// The largest power of two below `count` (2 or more).
        private static func split(_ count: Int) -> Int {
            1 << (Int.bitWidth - (count - 1).leadingZeroBitCount - 1)
        }
    }
}
