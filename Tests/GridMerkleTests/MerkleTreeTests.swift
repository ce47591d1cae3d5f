import Testing
@testable import GridMerkle

/// A store that fails on demand, to check that a failed write leaves the tree unchanged.
struct FailingStore: MerkleNodeStore {
    struct WriteFailed: Error {}
    var inner = InMemoryNodeStore()
    var failWrites = false
    var batches = 0

    func node(level: Int, index: UInt64) throws -> MerkleHash? {
        inner.node(level: level, index: index)
    }

    mutating func put(_ nodes: [MerkleNode]) throws {
        if failWrites { throw WriteFailed() }
        batches += 1
        try inner.put(nodes)
    }
}

@Suite("Merkle tree and node store")
struct MerkleTreeTests {
    @Test("Appending one by one and in one batch gives the same tree, the batch in one store write")
    func batchEqualsSingle() throws {
        var single = MerkleTree(store: FailingStore())
        for i in 0..<100 {
            #expect(try single.append(testEntry(i)) == UInt64(i))
        }
        var batch = MerkleTree(store: FailingStore())
        #expect(try batch.append(contentsOf: (0..<100).map(testEntry)) == 0..<100)
        #expect(single.root == batch.root)
        #expect(single.store.batches == 100)
        #expect(batch.store.batches == 1)
        // Each perfect subtree is stored once: 2n - popcount(n) nodes.
        #expect(batch.store.inner.count == 2 * 100 - 100.nonzeroBitCount)
    }

    @Test("A failed store write leaves the tree as it was")
    func failedWrite() throws {
        var tree = MerkleTree(store: FailingStore())
        try tree.append(contentsOf: (0..<5).map(testEntry))
        let root = tree.root
        var failing = tree.store
        failing.failWrites = true
        var broken = try MerkleTree(store: failing, size: 5)
        #expect(throws: FailingStore.WriteFailed.self) { try broken.append(testEntry(5)) }
        #expect(throws: FailingStore.WriteFailed.self) { try broken.append(contentsOf: [testEntry(5)]) }
        #expect(broken.size == 5)
        #expect(broken.root == root)
    }

    @Test("Reopening a tree from its store at any size gives the same roots and lets it grow",
          arguments: [0, 1, 7, 8, 100])
    func reopen(size: Int) throws {
        var full = MerkleTree(store: InMemoryNodeStore())
        try full.append(contentsOf: (0..<size).map(testEntry))
        var reopened = try MerkleTree(store: full.store, size: UInt64(size))
        #expect(reopened.root == full.root)
        try reopened.append(testEntry(size))
        try full.append(testEntry(size))
        #expect(reopened.root == full.root)
    }

    @Test("Reopening with a size the store does not hold names the missing node")
    func reopenMissing() throws {
        var tree = MerkleTree(store: InMemoryNodeStore())
        try tree.append(contentsOf: (0..<4).map(testEntry))
        let error = #expect(throws: MerkleError.self) { try MerkleTree(store: tree.store, size: 6) }
        #expect(error?.description == "The node store has no node 2 at level 1; the stored tree is incomplete.")
    }

    @Test("Requests beyond the tree are rejected with the reason")
    func outOfRange() throws {
        var tree = MerkleTree(store: InMemoryNodeStore())
        try tree.append(contentsOf: (0..<10).map(testEntry))
        let cases: [(() throws -> Void, String)] = [
            ({ _ = try tree.root(atSize: 11) }, "Tree size 11 was requested but the tree has only 10 leaves."),
            ({ _ = try tree.leafHash(at: 10) }, "Leaf index 10 is not in a tree of 10 leaves."),
            ({ _ = try tree.inclusionProof(leafIndex: 5, treeSize: 5) }, "Leaf index 5 is not in a tree of 5 leaves."),
            ({ _ = try tree.inclusionProof(leafIndex: 0, treeSize: 11) },
             "Tree size 11 was requested but the tree has only 10 leaves."),
            ({ _ = try tree.consistencyProof(from: 6, to: 5) },
             "A consistency proof from size 6 to the smaller size 5 is impossible: trees only grow."),
            ({ _ = try tree.consistencyProof(from: 1, to: 12) },
             "Tree size 12 was requested but the tree has only 10 leaves."),
        ]
        for (call, message) in cases {
            let error = #expect(throws: MerkleError.self) { try call() }
            #expect(error?.description == message)
        }
    }

    @Test("The in-memory store refuses gaps and rewrites, and stores nothing from a refused batch")
    func storeOrder() throws {
        var store = InMemoryNodeStore()
        let a = TreeHasher.leafHash([1])
        let b = TreeHasher.leafHash([2])
        try store.put(MerkleNode(level: 0, index: 0, hash: a))
        try store.put(MerkleNode(level: 0, index: 0, hash: a))
        let error = #expect(throws: MerkleError.self) {
            try store.put([MerkleNode(level: 0, index: 1, hash: b), MerkleNode(level: 0, index: 0, hash: b)])
        }
        #expect(error?.description
            == "The node store refused node 0 at level 0: nodes must be stored once, in order.")
        #expect(throws: MerkleError.self) { try store.put(MerkleNode(level: 2, index: 1, hash: b)) }
        #expect(throws: MerkleError.self) { try store.put(MerkleNode(level: -1, index: 0, hash: b)) }
        #expect(store.count == 1)
        #expect(store.node(level: 0, index: 1) == nil)
        #expect(store.node(level: 5, index: 0) == nil)
    }

    @Test("A compact tree refuses an edge that does not fit its size")
    func compactEdge() {
        let error = #expect(throws: MerkleError.self) { try CompactMerkleTree(size: 3, edge: [TreeHasher.emptyRoot]) }
        #expect(error?.description == "A tree of 3 leaves has 2 right-edge hashes, not 1.")
    }

    @Test("The largest power of two below n splits trees as the RFC does")
    func split() {
        for n in 2...1000 {
            let split = MerkleTree<InMemoryNodeStore>.largestPowerOfTwo(below: UInt64(n))
            #expect(split == UInt64(ReferenceMerkle.split(n)))
        }
        #expect(MerkleTree<InMemoryNodeStore>.largestPowerOfTwo(below: UInt64.max) == UInt64(1) << 63)
    }
}
