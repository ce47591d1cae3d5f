import Benchmark
import Foundation
import GridMerkle

// Ledger (Merkle tree) benchmarks; figures and the command to run them are in docs/PERFORMANCE.md.
// "Per leaf" benchmarks use the .mega scaling factor: one iteration appends (or hashes) 1,000,000 leaves, and
// the reported time is per leaf and the throughput per second. Proof benchmarks use .kilo: 1,000 proofs of
// random leaves or sizes per iteration, against a 1,000,000-leaf tree. The real ledger's benchmarks
// (`LedgerStore`, its own SQLite tree and `LedgerVerifier`) are in LedgerStoreBenchmarks.swift.

let leafCount = 1_000_000
let entryLength = 128

/// Fills `entry` with the bytes of leaf `index`: the index in the first 8 bytes, a fixed pattern after.
func fillEntry(_ entry: inout [UInt8], index: Int) {
    var value = UInt64(index)
    for i in 0..<8 {
        entry[i] = UInt8(truncatingIfNeeded: value)
        value >>= 8
    }
}

func makeEntry(_ index: Int) -> [UInt8] {
    var entry = [UInt8](repeating: 0xab, count: entryLength)
    fillEntry(&entry, index: index)
    return entry
}

/// A temporary SQLite file path, removed with its WAL files by `removeDatabase`.
func temporaryDatabasePath() -> String {
    NSTemporaryDirectory() + "grid-merkle-bench-\(UUID().uuidString).sqlite"
}

func removeDatabase(_ path: String) {
    for suffix in ["", "-wal", "-shm"] {
        try? FileManager.default.removeItem(atPath: path + suffix)
    }
}

/// Trees of 1,000,000 leaves built once, outside the measurements.
enum Fixture {
    static let memoryTree: MerkleTree<InMemoryNodeStore> = {
        var tree = MerkleTree(store: InMemoryNodeStore())
        try! tree.append(contentsOf: (0..<leafCount).lazy.map(makeEntry))
        return tree
    }()

    static let sqlitePath = temporaryDatabasePath()

    static let sqliteTree: MerkleTree<SQLiteNodeStore> = {
        // The benchmark runner starts one process per benchmark: remove the file when this one exits.
        atexit { removeDatabase(Fixture.sqlitePath) }
        var tree = MerkleTree(store: try! SQLiteNodeStore(path: sqlitePath))
        var next = 0
        while next < leafCount {
            let end = min(next + 10_000, leafCount)
            try! tree.append(contentsOf: (next..<end).lazy.map(makeEntry))
            next = end
        }
        return tree
    }()
}

/// Appends all leaves to `tree`, `batchSize` leaves per store write.
func appendAll<Store: MerkleNodeStore>(to tree: inout MerkleTree<Store>, batchSize: Int, count: Int) throws {
    var next = 0
    while next < count {
        let end = min(next + batchSize, count)
        try tree.append(contentsOf: (next..<end).lazy.map(makeEntry))
        next = end
    }
}

let proofHashes = BenchmarkMetric.custom("proof hashes (max)", polarity: .prefersSmaller, useScalingFactor: false)
let proofBytes = BenchmarkMetric.custom("proof bytes (max)", polarity: .prefersSmaller, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    let perLeaf = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .peakMemoryResident],
        timeUnits: .nanoseconds, warmupIterations: 0, scalingFactor: .mega, maxDuration: .seconds(30),
        maxIterations: 5)
    let perLeafSQLite = Benchmark.Configuration(
        metrics: [.wallClock, .throughput],
        timeUnits: .nanoseconds, warmupIterations: 0, scalingFactor: .mega, maxDuration: .seconds(60),
        maxIterations: 3)
    let perProof = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, proofHashes, proofBytes],
        timeUnits: .nanoseconds, warmupIterations: 1, scalingFactor: .kilo, maxDuration: .seconds(10),
        maxIterations: 20)

    Benchmark("Merkle append, in memory, one by one (1M leaves)", configuration: perLeaf) { benchmark in
        var tree = MerkleTree(store: InMemoryNodeStore())
        var entry = makeEntry(0)
        for i in benchmark.scaledIterations {
            fillEntry(&entry, index: i)
            _ = try tree.append(entry)
        }
        blackHole(tree.root)
    }

    Benchmark("Merkle append, compact tree only (1M leaves)", configuration: perLeaf) { benchmark in
        var tree = CompactMerkleTree()
        var entry = makeEntry(0)
        for i in benchmark.scaledIterations {
            fillEntry(&entry, index: i)
            try tree.append(entry)
        }
        blackHole(tree.root)
    }

    for batchSize in [1_000, 10_000] {
        Benchmark("Merkle append, SQLite, batches of \(batchSize) (1M leaves)", configuration: perLeafSQLite) {
            benchmark in
            let path = temporaryDatabasePath()
            defer { removeDatabase(path) }
            var tree = MerkleTree(store: try SQLiteNodeStore(path: path))
            benchmark.startMeasurement()
            try appendAll(to: &tree, batchSize: batchSize, count: benchmark.scaledIterations.count)
            benchmark.stopMeasurement()
            blackHole(tree.root)
        }
    }

    Benchmark("Full-tree verification: recompute the root of 1M leaves", configuration: perLeaf) { benchmark in
        var tree = CompactMerkleTree()
        var entry = makeEntry(0)
        for i in benchmark.scaledIterations {
            fillEntry(&entry, index: i)
            try tree.append(entry)
        }
        if tree.root != Fixture.memoryTree.root {
            benchmark.error("The recomputed root differs from the tree's root.")
        }
    } setup: {
        _ = Fixture.memoryTree
    }

    func proofBenchmarks<Store: MerkleNodeStore>(_ label: String, tree: @escaping @Sendable () -> MerkleTree<Store>) {
        Benchmark("Inclusion proof, generate, \(label) (1M leaves)", configuration: perProof) { benchmark in
            let tree = tree()
            var random = SystemRandomNumberGenerator()
            var longest = 0
            for _ in benchmark.scaledIterations {
                let index = UInt64.random(in: 0..<tree.size, using: &random)
                let proof = try tree.inclusionProof(leafIndex: index, treeSize: tree.size)
                longest = max(longest, proof.hashes.count)
                blackHole(proof)
            }
            benchmark.measurement(proofHashes, longest)
            benchmark.measurement(proofBytes, 17 + 32 * longest)
        } setup: {
            _ = tree()
        }

        Benchmark("Consistency proof, generate, \(label) (1M leaves)", configuration: perProof) { benchmark in
            let tree = tree()
            var random = SystemRandomNumberGenerator()
            var longest = 0
            for _ in benchmark.scaledIterations {
                let old = UInt64.random(in: 1...tree.size, using: &random)
                let proof = try tree.consistencyProof(from: old, to: tree.size)
                longest = max(longest, proof.hashes.count)
                blackHole(proof)
            }
            benchmark.measurement(proofHashes, longest)
            benchmark.measurement(proofBytes, 17 + 32 * longest)
        } setup: {
            _ = tree()
        }
    }

    proofBenchmarks("in memory") { Fixture.memoryTree }
    proofBenchmarks("SQLite") { Fixture.sqliteTree }

    Benchmark("Inclusion proof, verify (1M leaves)", configuration: perProof) { benchmark in
        let tree = Fixture.memoryTree
        let root = tree.root
        var random = SystemRandomNumberGenerator()
        let proofs = try (0..<64).map { _ in
            let index = UInt64.random(in: 0..<tree.size, using: &random)
            return (try tree.leafHash(at: index), try tree.inclusionProof(leafIndex: index, treeSize: tree.size))
        }
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations {
            let (leaf, proof) = proofs[i % proofs.count]
            try proof.verify(leafHash: leaf, root: root)
        }
        benchmark.stopMeasurement()
    } setup: {
        _ = Fixture.memoryTree
    }

    Benchmark("Consistency proof, verify (1M leaves)", configuration: perProof) { benchmark in
        let tree = Fixture.memoryTree
        let root = tree.root
        var random = SystemRandomNumberGenerator()
        let proofs = try (0..<64).map { _ in
            let old = UInt64.random(in: 1...tree.size, using: &random)
            return (try tree.root(atSize: old), try tree.consistencyProof(from: old, to: tree.size))
        }
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations {
            let (oldRoot, proof) = proofs[i % proofs.count]
            try proof.verify(oldRoot: oldRoot, newRoot: root)
        }
        benchmark.stopMeasurement()
    } setup: {
        _ = Fixture.memoryTree
    }

    ledgerStoreBenchmarks()
    ledgerMixBenchmarks()
}
