import Benchmark
import Dispatch
import Foundation
import GRDB
import GridCore
import GridCrypto
import GridLedger
import GridMerkle

// Verification of a ledger shaped like a running matchmaker's: 100 submitters granted credits, then jobs of three
// entries each (an escrow signed by its submitter, a payment and a refund signed by the operator), and signed
// checkpoints. The submitters' signatures are the ones no checkpoint covers, so this is the harder case for
// `LedgerVerifier` than the all-grants ledger of LedgerStoreBenchmarks.swift. Variants:
// - every escrow signed on its own (a client that submits one job at a time), a checkpoint every 16 entries: the
//   most the matchmaker signs (at a tick, every 250 ms, when 16 entries or more are new);
// - escrows signed 256 to a batch signature, as `GridConnection.submit(_ requests:)` signs them (docs/ledger.md,
//   "Batch signatures"), with a checkpoint every 16 entries, and with one every 2,500 entries: what a tick every
//   250 ms finds at the 10,000 entries/s of a matchmaker running 2,500 jobs/s.
// Size: GRID_BENCH_LEDGER_ENTRIES, as there.

/// A matchmaker-shaped ledger of `ledgerEntryCount` entries, built once per process outside the measurements.
final class MixedLedger: @unchecked Sendable {
    let operatorIdentity = Identity.generate()
    let folder: String
    let store: LedgerStore

    /// Escrows signed `escrowBatch` to a signature (1: each on its own), a checkpoint every `checkpointEvery` entries.
    init(escrowBatch: Int, checkpointEvery: Int) async throws {
        folder = NSTemporaryDirectory() + "grid-ledger-mix-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        store = try LedgerStore(path: folder + "/ledger.sqlite", operator: operatorIdentity.peerID)
        let entries = try Self.sign(count: ledgerEntryCount, operator: operatorIdentity, escrowBatch: escrowBatch)
        let identity = operatorIdentity
        // One transaction per 1,024 entries, a checkpoint after every `checkpointEvery` entries and after the last.
        var next = 0
        while next < entries.count {
            let end = min(next + 1_024, entries.count)
            let slice = Array(entries[next..<end])
            let base = next
            try await store.database.write { db in
                var start = 0
                while start < slice.count {
                    let stop = min(start + checkpointEvery - (base + start) % checkpointEvery, slice.count)
                    try Ledger.append(contentsOf: Array(slice[start..<stop]), operator: identity.peerID, in: db)
                    if (base + stop) % checkpointEvery == 0 || base + stop == entries.count {
                        _ = try Ledger.signCheckpoint(as: identity, timestamp: UInt64(base + stop), in: db)
                    }
                    start = stop
                }
            }
            next = end
        }
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// 100 grants, then jobs of escrow, payment and refund (grants fill any remainder), signed on every core. With
    /// batches, the jobs of one batch share a submitter, as a client's submitted batch does.
    private static func sign(count: Int, operator identity: Identity, escrowBatch: Int) throws -> [SignedEntry] {
        let operatorID = identity.peerID
        let submitters = (0..<100).map { _ in Identity.generate() }
        let worker = Identity.generate().peerID
        let jobs = max(0, (count - submitters.count) / 3)
        let grants = count - 3 * jobs
        let batch = max(1, escrowBatch)
        let submitter: @Sendable (Int) -> Identity = { job in
            submitters[(batch > 1 ? job / batch : job) % submitters.count]
        }
        let escrows = try signEscrows(jobs: jobs, batch: batch, submitter: submitter)
        let slots = UnsafeMutableBufferPointer<Result<SignedEntry, any Error>?>.allocate(capacity: count)
        defer { slots.deallocate() }
        slots.initialize(repeating: nil)
        nonisolated(unsafe) let shared = slots
        let chunk = 1_000
        DispatchQueue.concurrentPerform(iterations: (count + chunk - 1) / chunk) { part in
            for index in part * chunk..<min((part + 1) * chunk, count) {
                shared[index] = Result {
                    if index < grants {
                        let peer = submitters[index % submitters.count].peerID
                        return try EntryBody(kind: .grant, from: .mint, to: .peer(peer), amount: 1_000_000_000,
                                             author: operatorID, timestamp: Int64(index)).signed(by: identity)
                    }
                    let job = (index - grants) / 3
                    let id = "job-\(job)"
                    switch (index - grants) % 3 {
                    case 0:
                        return escrows[job]
                    case 1:
                        return try EntryBody(kind: .payment, from: .escrow(job: id), to: .peer(worker), amount: 7,
                                             job: id, author: operatorID, timestamp: Int64(index)).signed(by: identity)
                    default:
                        return try EntryBody(kind: .refund, from: .escrow(job: id), to: .peer(submitter(job).peerID),
                                             amount: 3, job: id, author: operatorID,
                                             timestamp: Int64(index)).signed(by: identity)
                    }
                }
            }
        }
        return try slots.map { slot in
            guard let slot else { throw BenchError("an entry was not signed") }
            return try slot.get()
        }
    }

    /// Every job's escrow of 10 credits, signed `batch` jobs to a signature, batches on every core.
    private static func signEscrows(
        jobs: Int, batch: Int, submitter: @escaping @Sendable (Int) -> Identity
    ) throws -> [SignedEntry] {
        let batches = (jobs + batch - 1) / batch
        let slots = UnsafeMutableBufferPointer<Result<[SignedEntry], any Error>?>.allocate(capacity: max(1, batches))
        defer { slots.deallocate() }
        slots.initialize(repeating: nil)
        nonisolated(unsafe) let shared = slots
        DispatchQueue.concurrentPerform(iterations: batches) { number in
            shared[number] = Result {
                let range = number * batch..<min((number + 1) * batch, jobs)
                let signer = submitter(range.lowerBound)
                let bodies = try range.map { job in
                    try EntryBody.escrow(job: "job-\(job)", amount: 10, submitter: signer.peerID,
                                         timestamp: Int64(job))
                }
                return try BatchSignature.sign(bodies, by: signer)
            }
        }
        return try (0..<batches).flatMap { number -> [SignedEntry] in
            guard let slot = slots[number] else { throw BenchError("a batch of escrows was not signed") }
            return try slot.get()
        }
    }
}

final class MixedLedgerSlot: @unchecked Sendable {
    var ledger: MixedLedger?
}

func ledgerMixBenchmarks() {
    let variants = [
        (1, 16, "each escrow signed on its own, a checkpoint every 16 entries"),
        (256, 16, "escrows batch-signed 256 at a time, a checkpoint every 16 entries"),
        (256, 2_500, "escrows batch-signed 256 at a time, a checkpoint every 2,500 entries"),
    ]
    for (escrowBatch, checkpointEvery, label) in variants {
        let slot = MixedLedgerSlot()
        Benchmark(
            "Ledger verify, LedgerVerifier over a matchmaker-shaped ledger (\(ledgerSizeLabel) entries, a third "
                + "escrows; \(label))",
            configuration: verificationConfiguration()
        ) { benchmark in
            guard let store = slot.ledger?.store else { throw BenchError("the setup did not build the ledger") }
            let result = try await measureVerification(of: store, in: benchmark)
            print("verified: \(result)")
        } setup: {
            slot.ledger = try await MixedLedger(escrowBatch: escrowBatch, checkpointEvery: checkpointEvery)
        } teardown: {
            slot.ledger?.remove()
        }
    }
}
