/// Where a Merkle tree keeps the hashes of its complete subtrees, so any root or proof of any size can be rebuilt.
///
/// The tree writes each node once, in increasing index order within a level, and never rewrites it. A persistent
/// store should write each `put(_:)` batch in one transaction.
public protocol MerkleNodeStore {
    /// The hash stored at `level` and `index`, or nil when there is none.
    func node(level: Int, index: UInt64) throws -> MerkleHash?

    /// Stores a batch of nodes, all or none.
    mutating func put(_ nodes: [MerkleNode]) throws
}

extension MerkleNodeStore {
    /// Stores one node.
    public mutating func put(_ node: MerkleNode) throws {
        try put([node])
    }
}
