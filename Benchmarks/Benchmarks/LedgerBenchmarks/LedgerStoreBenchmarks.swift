import Benchmark
import Dispatch
import Foundation
import GRDB
import GridCore
import GridCrypto
import GridLedger
import GridMerkle

// Benchmarks of the real ledger (`LedgerStore`, its SQLite entry table and its `ledger_tree_nodes` Merkle tree),
// as opposed to the minimal node store in SQLiteNodeStore.swift. Entries are operator-signed grants to 100 peers,
// all signed (on every core) in each benchmark's setup, before any measurement. Every benchmark runs in its own
// process and builds its own ledger of 1,000,000 entries in its setup; set GRID_BENCH_LEDGER_ENTRIES (a multiple of
// 1,000) for another size. The verification benchmark makes one pass (about a minute at 1M entries).

/// The number of entries the ledger-store benchmarks append, prove and verify.
let ledgerEntryCount: Int = {
    let fallback = 1_000_000
    guard let text = ProcessInfo.processInfo.environment["GRID_BENCH_LEDGER_ENTRIES"] else { return fallback }
    guard let value = Int(text), value >= ledgerBatchSize, value % ledgerBatchSize == 0 else {
        print("GRID_BENCH_LEDGER_ENTRIES must be a positive multiple of \(ledgerBatchSize), got \"\(text)\"; "
            + "using \(fallback).")
        return fallback
    }
    return value
}()

/// Entries per `LedgerStore.append(contentsOf:)` call, one write transaction each.
let ledgerBatchSize = 1_000

/// "100K" or "1M", for benchmark names.
let ledgerSizeLabel: String = {
    if ledgerEntryCount % 1_000_000 == 0 { return "\(ledgerEntryCount / 1_000_000)M" }
    return "\(ledgerEntryCount / 1_000)K"
}()

let entriesPerSecond = BenchmarkMetric.custom("entries/s", polarity: .prefersLarger, useScalingFactor: false)

/// One verification pass over a whole ledger: its wall clock, CPU and rate, a single sample.
func verificationConfiguration() -> Benchmark.Configuration {
    .init(metrics: [.wallClock, .cpuTotal, entriesPerSecond],
          timeUnits: .milliseconds, warmupIterations: 0, scalingFactor: .one, maxDuration: .seconds(300),
          maxIterations: 1)
}

/// Verifies `store`, records its rate in `benchmark`, and flags an error unless every entry verified.
@discardableResult
func measureVerification(of store: LedgerStore, in benchmark: Benchmark) async throws -> LedgerVerification {
    let start = ContinuousClock.now
    let result = try await store.verify()
    let elapsed = ContinuousClock.now - start
    if !result.isValid || result.verifiedCount != Int64(ledgerEntryCount) {
        benchmark.error("The ledger did not verify: \(result)")
    }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    benchmark.measurement(entriesPerSecond, Int(Double(ledgerEntryCount) / seconds))
    return result
}

/// A ledger file in a temporary folder with its operator, and grants signed ahead of the measurements.
final class LedgerBench: @unchecked Sendable {
    let operatorIdentity = Identity.generate()
    let folder: String
    let store: LedgerStore
    /// The grants still to append, in batches of `ledgerBatchSize`.
    private(set) var batches: [[SignedEntry]] = []
    private var nextBatch = 0

    /// Creates an empty ledger and signs `count` grants to 100 peers.
    ///
    /// With `received`, each entry is rebuilt from its body and signature bytes as if it came off the network, so
    /// `LedgerStore.append(contentsOf:)` checks every signature (in parallel) instead of trusting `signed(by:)`.
    init(count: Int, received: Bool = false) throws {
        folder = NSTemporaryDirectory() + "grid-ledger-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        store = try LedgerStore(path: folder + "/ledger.sqlite", operator: operatorIdentity.peerID)
        batches = try Self.signGrants(count: count, by: operatorIdentity, received: received)
    }

    /// Removes the ledger's folder.
    func remove() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Appends the next batch; returns its size, or zero when every batch was appended.
    func appendNextBatch() async throws -> Int {
        guard nextBatch < batches.count else { return 0 }
        let batch = batches[nextBatch]
        batches[nextBatch] = []
        nextBatch += 1
        try await store.append(contentsOf: batch)
        return batch.count
    }

    /// Appends every remaining batch, then signs a checkpoint of the whole tree.
    func appendAll() async throws {
        while try await appendNextBatch() > 0 {}
        let identity = operatorIdentity
        try await store.database.write { db in
            _ = try Ledger.signCheckpoint(as: identity, timestamp: 1, in: db)
        }
    }

    /// Signs `count` grants on every core, in batches of `ledgerBatchSize`.
    private static func signGrants(count: Int, by identity: Identity, received: Bool) throws -> [[SignedEntry]] {
        let operatorID = identity.peerID
        let peers = (0..<100).map { _ in Identity.generate().peerID }
        let batchCount = (count + ledgerBatchSize - 1) / ledgerBatchSize
        let slots = UnsafeMutableBufferPointer<Result<[SignedEntry], any Error>?>.allocate(capacity: batchCount)
        defer { slots.deallocate() }
        slots.initialize(repeating: nil)
        nonisolated(unsafe) let shared = slots
        DispatchQueue.concurrentPerform(iterations: batchCount) { batch in
            shared[batch] = Result {
                let start = batch * ledgerBatchSize
                return try (start..<min(start + ledgerBatchSize, count)).map { index in
                    let body = try EntryBody(
                        kind: .grant, from: .mint, to: .peer(peers[index % peers.count]), amount: 1 + Int64(index % 7),
                        author: operatorID, timestamp: 1_000 + Int64(index))
                    let signed = try body.signed(by: identity)
                    return received ? SignedEntry(body: signed.body, signature: signed.signature) : signed
                }
            }
        }
        return try slots.map { slot in
            guard let slot else { throw BenchError("a batch of grants was not signed") }
            return try slot.get()
        }
    }
}

/// A benchmark setup failure, with what went wrong.
struct BenchError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Shares one `LedgerBench` between a benchmark's setup, iterations and teardown (each benchmark runs in its own
/// process, so every benchmark builds its own ledger).
final class LedgerBenchSlot: @unchecked Sendable {
    var bench: LedgerBench?

    func get() throws -> LedgerBench {
        guard let bench else { throw BenchError("the benchmark's setup did not create its ledger") }
        return bench
    }
}

/// Entry `seq`'s inclusion proof from the ledger's own tree, in one (synchronous) read transaction of its own, as
/// a receipt request would do.
func inclusionProof(seq: Int64, treeSize: UInt64, in store: LedgerStore) throws -> InclusionProof {
    try store.database.read { db in try Ledger.inclusionProof(seq: seq, treeSize: treeSize, in: db) }
}

func ledgerStoreBenchmarks() {
    let batches = ledgerEntryCount / ledgerBatchSize

    // One iteration appends one batch of 1,000 grants to the same ledger, which grows from 0 to ledgerEntryCount
    // entries; .kilo makes the reported time per entry and the throughput entries per second.
    let perBatch = Benchmark.Configuration(
        metrics: [.wallClock, .throughput],
        timeUnits: .nanoseconds, warmupIterations: 0, scalingFactor: .kilo, maxDuration: .seconds(600),
        maxIterations: batches)

    for received in [false, true] {
        let slot = LedgerBenchSlot()
        let label = received ? "received grants, signatures checked" : "operator-signed grants"
        Benchmark(
            "Ledger append, LedgerStore, batches of 1,000 \(label) (\(ledgerSizeLabel) entries)",
            configuration: perBatch
        ) { benchmark in
            let bench = try slot.get()
            benchmark.startMeasurement()
            let appended = try await bench.appendNextBatch()
            benchmark.stopMeasurement()
            if appended != benchmark.scaledIterations.count {
                benchmark.error("Appended \(appended) entries, expected \(benchmark.scaledIterations.count).")
            }
        } setup: {
            slot.bench = try LedgerBench(count: ledgerEntryCount, received: received)
        } teardown: {
            slot.bench?.remove()
        }
    }

    // Built once per process, outside the measurements.
    let built = LedgerBenchSlot()
    let setup: @Sendable () async throws -> Void = {
        let bench = try LedgerBench(count: ledgerEntryCount)
        try await bench.appendAll()
        built.bench = bench
    }
    let teardown: @Sendable () async throws -> Void = { built.bench?.remove() }

    Benchmark(
        "Ledger inclusion proof, generate from the SQLite tree (\(ledgerSizeLabel) entries)",
        configuration: .init(
            metrics: [.wallClock, .throughput, proofHashes, proofBytes],
            timeUnits: .nanoseconds, warmupIterations: 1, scalingFactor: .kilo, maxDuration: .seconds(20),
            maxIterations: 20)
    ) { benchmark in
        let store = try built.get().store
        let size = UInt64(ledgerEntryCount)
        var random = SystemRandomNumberGenerator()
        var longest = 0
        for _ in benchmark.scaledIterations {
            let seq = Int64.random(in: 1...Int64(size), using: &random)
            let proof = try inclusionProof(seq: seq, treeSize: size, in: store)
            longest = max(longest, proof.hashes.count)
            blackHole(proof)
        }
        benchmark.measurement(proofHashes, longest)
        benchmark.measurement(proofBytes, 17 + 32 * longest)
    } setup: {
        try await setup()
        // Check once that the ledger's proofs verify against its root.
        let store = try built.get().store
        let size = UInt64(ledgerEntryCount)
        try await store.database.read { db in
            let root = try Ledger.root(atSize: size, in: db)
            for seq in [Int64(1), Int64(size / 2), Int64(size)] {
                guard let entry = try Ledger.entry(seq: seq, in: db) else { throw BenchError("no entry \(seq)") }
                let proof = try Ledger.inclusionProof(seq: seq, treeSize: size, in: db)
                try proof.verify(leafHash: TreeHasher.leafHash(entry.leafBytes), root: root)
            }
        }
    } teardown: {
        try await teardown()
    }

    Benchmark(
        "Ledger verify, LedgerVerifier over the whole ledger (\(ledgerSizeLabel) entries)",
        configuration: verificationConfiguration()
    ) { benchmark in
        try await measureVerification(of: try built.get().store, in: benchmark)
    } setup: {
        try await setup()
    } teardown: {
        try await teardown()
    }
}
