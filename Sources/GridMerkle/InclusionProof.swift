/// Proof that a leaf is in a tree of a given size: the RFC 9162 §2.1.3 audit path, from the leaf upwards.
public struct InclusionProof: Hashable, Sendable {
    /// Zero-based index of the leaf.
    public var leafIndex: UInt64
    /// Number of leaves in the tree the proof is for.
    public var treeSize: UInt64
    /// Sibling hashes from the bottom of the tree to the top.
    public var hashes: [MerkleHash]

    public init(leafIndex: UInt64, treeSize: UInt64, hashes: [MerkleHash]) {
        self.leafIndex = leafIndex
        self.treeSize = treeSize
        self.hashes = hashes
    }

    /// The root this proof leads to from `leafHash` (RFC 9162 §2.1.3.2); throws when the proof is malformed
    /// for its index and size.
    public func root(leafHash: MerkleHash) throws -> MerkleHash {
        guard leafIndex < treeSize else { throw MerkleError.leafIndexOutOfRange(leafIndex, treeSize: treeSize) }
        var fn = leafIndex
        var sn = treeSize - 1
        var hash = leafHash
        for sibling in hashes {
            guard sn != 0 else { throw MerkleError.proofTooLong("leaf \(leafIndex) of \(treeSize)") }
            if fn & 1 == 1 || fn == sn {
                hash = TreeHasher.nodeHash(sibling, hash)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                hash = TreeHasher.nodeHash(hash, sibling)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw MerkleError.proofTooShort }
        return hash
    }

    /// Checks that the leaf with hash `leafHash` is at `leafIndex` in the tree of `treeSize` leaves with `root`.
    public func verify(leafHash: MerkleHash, root expected: MerkleHash) throws {
        guard try root(leafHash: leafHash) == expected else {
            throw MerkleError.rootMismatch("leaf \(leafIndex) is not in the tree of \(treeSize) leaves with that root")
        }
    }

    /// Binary form: leaf index and tree size as 8-byte big-endian integers, a count byte, then the hashes.
    public var serialized: [UInt8] {
        ProofCoding.encode(leafIndex, treeSize, hashes)
    }

    /// Reads the binary form of `serialized`; throws naming what is wrong.
    public init(parsing bytes: [UInt8]) throws {
        let (index, size, hashes) = try ProofCoding.decode(bytes, kind: "inclusion proof")
        self.init(leafIndex: index, treeSize: size, hashes: hashes)
    }
}
