/// An append-only RFC 6962 Merkle tree whose complete subtree hashes live in a node store.
///
/// The tree keeps only its right edge in memory (O(log n) hashes), so appending is O(1) amortised and the current
/// root is always at hand; every completed subtree node is written to the store once, which is enough to compute
/// the root, inclusion proofs and consistency proofs of any size up to `size`.
public struct MerkleTree<Store: MerkleNodeStore> {
    /// The node store; read it freely, but only the tree should write to it.
    public private(set) var store: Store
    private var compact: CompactMerkleTree
    private var completed: [MerkleNode] = []

    /// An empty tree over `store`, which should hold no nodes yet.
    public init(store: Store) {
        self.store = store
        self.compact = CompactMerkleTree()
    }

    /// Reopens a tree of `size` leaves whose nodes are already in `store`.
    ///
    /// Throws when the store lacks one of the right-edge nodes.
    public init(store: Store, size: UInt64) throws {
        guard size < UInt64(1) << 63 else { throw MerkleError.treeTooLarge }
        var edge: [MerkleHash] = []
        var offset: UInt64 = 0
        for level in stride(from: 63, through: 0, by: -1) where size & (UInt64(1) << level) != 0 {
            let index = offset >> level
            guard let hash = try store.node(level: level, index: index) else {
                throw MerkleError.missingNode(level: level, index: index)
            }
            edge.append(hash)
            offset += UInt64(1) << level
        }
        self.store = store
        self.compact = try CompactMerkleTree(size: size, edge: edge)
    }

    /// Reopens a tree whose right edge is already known (kept from earlier appends to the same store), with no reads.
    ///
    /// The caller vouches that `compact` is the edge of the tree whose nodes `store` holds.
    public init(store: Store, compact: CompactMerkleTree) {
        self.store = store
        self.compact = compact
    }

    /// Number of leaves.
    public var size: UInt64 { compact.size }

    /// The current root hash.
    public var root: MerkleHash { compact.root }

    /// The right edge of the tree, e.g. for verifying a replica without a store.
    public var compactTree: CompactMerkleTree { compact }

    /// Appends the leaf `entry` and returns its index; the tree is unchanged if the store fails.
    @discardableResult
    public mutating func append<Entry: Collection<UInt8>>(_ entry: Entry) throws -> UInt64 {
        try append(leafHash: TreeHasher.leafHash(entry))
    }

    /// Appends a leaf by its hash and returns its index; the tree is unchanged if the store fails.
    @discardableResult
    public mutating func append(leafHash: MerkleHash) throws -> UInt64 {
        var next = compact
        completed.removeAll(keepingCapacity: true)
        try next.append(leafHash: leafHash, completed: &completed)
        try store.put(completed)
        compact = next
        return next.size - 1
    }

    /// Appends `entries` with a single batch write to the store and returns their indices.
    ///
    /// All or nothing: if the store fails, the tree is unchanged.
    @discardableResult
    public mutating func append<Entries: Sequence>(contentsOf entries: Entries) throws -> Range<UInt64>
    where Entries.Element: Collection<UInt8> {
        var next = compact
        completed.removeAll(keepingCapacity: true)
        for entry in entries {
            try next.append(leafHash: TreeHasher.leafHash(entry), completed: &completed)
        }
        try store.put(completed)
        let range = compact.size..<next.size
        compact = next
        return range
    }

    /// The hash of leaf `index`.
    public func leafHash(at index: UInt64) throws -> MerkleHash {
        guard index < size else { throw MerkleError.leafIndexOutOfRange(index, treeSize: size) }
        return try node(level: 0, index: index)
    }

    /// The root of the tree made of the first `treeSize` leaves.
    public func root(atSize treeSize: UInt64) throws -> MerkleHash {
        guard treeSize <= size else { throw MerkleError.sizeBeyondTree(treeSize, size: size) }
        if treeSize == size { return root }
        if treeSize == 0 { return TreeHasher.emptyRoot }
        return try rangeHash(0, treeSize)
    }

    /// The RFC 9162 §2.1.3.1 inclusion proof of leaf `leafIndex` in the tree of the first `treeSize` leaves.
    public func inclusionProof(leafIndex: UInt64, treeSize: UInt64) throws -> InclusionProof {
        guard treeSize <= size else { throw MerkleError.sizeBeyondTree(treeSize, size: size) }
        guard leafIndex < treeSize else { throw MerkleError.leafIndexOutOfRange(leafIndex, treeSize: treeSize) }
        // PATH(m, D[begin:end]) from the top down; the RFC lists the siblings from the bottom up.
        var siblings: [MerkleHash] = []
        var begin: UInt64 = 0
        var end = treeSize
        while end - begin > 1 {
            let split = begin + Self.largestPowerOfTwo(below: end - begin)
            if leafIndex < split {
                siblings.append(try rangeHash(split, end))
                end = split
            } else {
                siblings.append(try rangeHash(begin, split))
                begin = split
            }
        }
        return InclusionProof(leafIndex: leafIndex, treeSize: treeSize, hashes: siblings.reversed())
    }

    /// The RFC 9162 §2.1.4.1 consistency proof between the trees of the first `oldSize` and `newSize` leaves.
    ///
    /// The proof is empty when `oldSize` is 0 or equals `newSize`.
    public func consistencyProof(from oldSize: UInt64, to newSize: UInt64) throws -> ConsistencyProof {
        guard newSize <= size else { throw MerkleError.sizeBeyondTree(newSize, size: size) }
        guard oldSize <= newSize else { throw MerkleError.sizesOutOfOrder(old: oldSize, new: newSize) }
        var hashes: [MerkleHash] = []
        if oldSize > 0 && oldSize < newSize {
            // SUBPROOF(m, D[begin:end], b) from the top down; the RFC lists the hashes from the bottom up.
            var m = oldSize
            var begin: UInt64 = 0
            var end = newSize
            var isWholeOldTree = true
            while true {
                if m == end - begin {
                    if !isWholeOldTree {
                        hashes.append(try rangeHash(begin, end))
                    }
                    break
                }
                let k = Self.largestPowerOfTwo(below: end - begin)
                if m <= k {
                    hashes.append(try rangeHash(begin + k, end))
                    end = begin + k
                } else {
                    hashes.append(try rangeHash(begin, begin + k))
                    begin += k
                    m -= k
                    isWholeOldTree = false
                }
            }
        }
        return ConsistencyProof(oldSize: oldSize, newSize: newSize, hashes: hashes.reversed())
    }

    /// MTH(D[begin:end]) for a non-empty range, from stored perfect subtrees.
    private func rangeHash(_ begin: UInt64, _ end: UInt64) throws -> MerkleHash {
        let count = end - begin
        if count & (count - 1) == 0 {
            let level = count.trailingZeroBitCount
            if begin & (count - 1) == 0 {
                return try node(level: level, index: begin >> level)
            }
        }
        let split = begin + Self.largestPowerOfTwo(below: count)
        return TreeHasher.nodeHash(try rangeHash(begin, split), try rangeHash(split, end))
    }

    private func node(level: Int, index: UInt64) throws -> MerkleHash {
        guard let hash = try store.node(level: level, index: index) else {
            throw MerkleError.missingNode(level: level, index: index)
        }
        return hash
    }

    /// The largest power of two strictly smaller than `n`, for `n` ≥ 2.
    static func largestPowerOfTwo(below n: UInt64) -> UInt64 {
        UInt64(1) << (63 - (n - 1).leadingZeroBitCount)
    }
}

extension MerkleTree: Sendable where Store: Sendable {}
