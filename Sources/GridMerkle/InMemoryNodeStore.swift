/// A node store held in memory, one dense array per level; for tests, benchmarks and short-lived trees.
public struct InMemoryNodeStore: MerkleNodeStore, Sendable {
    private var levels: [[MerkleHash]] = []

    public init() {}

    /// The number of nodes stored across all levels.
    public var count: Int {
        levels.reduce(0) { $0 + $1.count }
    }

    public func node(level: Int, index: UInt64) -> MerkleHash? {
        guard level >= 0, level < levels.count, index < UInt64(levels[level].count) else { return nil }
        return levels[level][Int(index)]
    }

    /// Stores `nodes`; throws without storing any of them if one would leave a gap in its level
    /// or replace a different hash.
    public mutating func put(_ nodes: [MerkleNode]) throws {
        // Validate the whole batch first so that a refused batch stores nothing.
        var counts = levels.map { UInt64($0.count) }
        for node in nodes {
            guard node.level >= 0, node.level < 64 else {
                throw MerkleError.nodeOutOfOrder(level: node.level, index: node.index)
            }
            while counts.count <= node.level {
                counts.append(0)
            }
            if node.index == counts[node.level] {
                counts[node.level] += 1
            } else if node.level < levels.count, node.index < UInt64(levels[node.level].count),
                      levels[node.level][Int(node.index)] == node.hash {
                continue
            } else {
                throw MerkleError.nodeOutOfOrder(level: node.level, index: node.index)
            }
        }
        while levels.count < counts.count {
            levels.append([])
        }
        for node in nodes where node.index == UInt64(levels[node.level].count) {
            levels[node.level].append(node.hash)
        }
    }
}
