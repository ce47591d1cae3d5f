/// The hash of one complete (perfect) subtree, addressed by its level and its index within that level.
///
/// Level 0 holds the leaf hashes; the node at level `l` and index `i` covers the leaves
/// `i * 2^l ..< (i + 1) * 2^l`.
public struct MerkleNode: Hashable, Sendable {
    public var level: Int
    public var index: UInt64
    public var hash: MerkleHash

    public init(level: Int, index: UInt64, hash: MerkleHash) {
        self.level = level
        self.index = index
        self.hash = hash
    }
}
