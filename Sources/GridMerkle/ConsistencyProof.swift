/// Proof that the tree of `oldSize` leaves is a prefix of the tree of `newSize` leaves (RFC 9162 §2.1.4).
public struct ConsistencyProof: Hashable, Sendable {
    public var oldSize: UInt64
    public var newSize: UInt64
    /// The proof hashes in RFC order.
    public var hashes: [MerkleHash]

    public init(oldSize: UInt64, newSize: UInt64, hashes: [MerkleHash]) {
        self.oldSize = oldSize
        self.newSize = newSize
        self.hashes = hashes
    }

    /// Checks that `oldRoot` (of `oldSize` leaves) and `newRoot` (of `newSize` leaves) belong to one
    /// append-only log, by the RFC 9162 §2.1.4.2 algorithm; throws with the reason when they do not.
    public func verify(oldRoot: MerkleHash, newRoot: MerkleHash) throws {
        guard oldSize <= newSize else { throw MerkleError.sizesOutOfOrder(old: oldSize, new: newSize) }
        if oldSize == newSize {
            guard hashes.isEmpty else { throw MerkleError.nonEmptyProofForEqualSizes }
            guard oldRoot == newRoot else {
                throw MerkleError.rootMismatch("two roots of the same size \(oldSize) differ")
            }
            return
        }
        if oldSize == 0 {
            guard hashes.isEmpty else { throw MerkleError.nonEmptyProofForEqualSizes }
            return
        }
        guard let first = hashes.first else { throw MerkleError.emptyProof }
        var path = hashes[...]
        var fr = first
        if oldSize & (oldSize - 1) == 0 {
            // The old tree is a perfect subtree of the new one: its root starts the path.
            fr = oldRoot
        } else {
            path = path.dropFirst()
        }
        var sr = fr
        var fn = oldSize - 1
        var sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        for c in path {
            guard sn != 0 else { throw MerkleError.proofTooLong("sizes \(oldSize) to \(newSize)") }
            if fn & 1 == 1 || fn == sn {
                fr = TreeHasher.nodeHash(c, fr)
                sr = TreeHasher.nodeHash(c, sr)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                sr = TreeHasher.nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw MerkleError.proofTooShort }
        guard fr == oldRoot else {
            throw MerkleError.rootMismatch("it does not rebuild the old root of size \(oldSize)")
        }
        guard sr == newRoot else {
            throw MerkleError.rootMismatch("it does not rebuild the new root of size \(newSize)")
        }
    }

    /// Binary form: old and new size as 8-byte big-endian integers, a count byte, then the hashes.
    public var serialized: [UInt8] {
        ProofCoding.encode(oldSize, newSize, hashes)
    }

    /// Reads the binary form of `serialized`; throws naming what is wrong.
    public init(parsing bytes: [UInt8]) throws {
        let (old, new, hashes) = try ProofCoding.decode(bytes, kind: "consistency proof")
        self.init(oldSize: old, newSize: new, hashes: hashes)
    }
}
