/// The right edge of a Merkle tree: the roots of its perfect subtrees, O(log n) hashes.
///
/// Enough to append leaves and compute the current root, but not proofs; `MerkleTree` adds a node store for those.
/// Appending is O(1) amortised.
public struct CompactMerkleTree: Hashable, Sendable {
    /// Number of leaves.
    public private(set) var size: UInt64

    /// Roots of the perfect subtrees, largest (leftmost) first; one per set bit of `size`.
    public private(set) var edge: [MerkleHash]

    /// An empty tree.
    public init() {
        size = 0
        edge = []
    }

    /// A tree of `size` leaves with the given perfect-subtree roots, largest first.
    public init(size: UInt64, edge: [MerkleHash]) throws {
        guard size.nonzeroBitCount == edge.count else {
            throw MerkleError.badEdge(size: size, count: edge.count)
        }
        self.size = size
        self.edge = edge
    }

    /// The root hash (the empty-tree hash when there are no leaves).
    public var root: MerkleHash {
        guard var root = edge.last else { return TreeHasher.emptyRoot }
        for hash in edge.dropLast().reversed() {
            root = TreeHasher.nodeHash(hash, root)
        }
        return root
    }

    /// Appends the leaf `entry`.
    public mutating func append<Entry: Collection<UInt8>>(_ entry: Entry) throws {
        var ignored: [MerkleNode] = []
        try append(leafHash: TreeHasher.leafHash(entry), completed: &ignored, recordNodes: false)
    }

    /// Appends a leaf hash, adding to `completed` the leaf and every subtree node it completes.
    public mutating func append(leafHash: MerkleHash, completed: inout [MerkleNode]) throws {
        try append(leafHash: leafHash, completed: &completed, recordNodes: true)
    }

    private mutating func append(leafHash: MerkleHash, completed: inout [MerkleNode], recordNodes: Bool) throws {
        guard size < UInt64(1) << 63 else { throw MerkleError.treeTooLarge }
        var hash = leafHash
        var level = 0
        var index = size
        if recordNodes {
            completed.append(MerkleNode(level: 0, index: index, hash: hash))
        }
        // Each trailing one bit of the old size is a perfect subtree that the new leaf completes.
        while index & 1 == 1, let left = edge.popLast() {
            hash = TreeHasher.nodeHash(left, hash)
            index >>= 1
            level += 1
            if recordNodes {
                completed.append(MerkleNode(level: level, index: index, hash: hash))
            }
        }
        edge.append(hash)
        size += 1
    }
}
