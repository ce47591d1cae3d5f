import Benchmark
import Dispatch
import Foundation
import GRDB
import GridCore
import GridCrypto
import GridLedger
import GridMerkle

// Verification of a ledger shaped like a running matchmaker's: 100 submitters granted credits, then jobs of three
// entries each (an escrow signed by its submitter, a payment and a refund signed by the operator), and a checkpoint
// signed every 16 entries as the matchmaker does. A third of the signatures are the submitters', which no checkpoint
// covers, so this is the harder case for `LedgerVerifier` than the all-grants ledger of LedgerStoreBenchmarks.swift.
// Size: GRID_BENCH_LEDGER_ENTRIES, as there.

/// A matchmaker-shaped ledger of `ledgerEntryCount` entries, built once per process outside the measurements.
final class MixedLedger: @unchecked Sendable {
    let operatorIdentity = Identity.generate()
    let folder: String
    let store: LedgerStore

    init() async throws {
        folder = NSTemporaryDirectory() + "grid-ledger-mix-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        store = try LedgerStore(path: folder + "/ledger.sqlite", operator: operatorIdentity.peerID)
        let entries = try Self.sign(count: ledgerEntryCount, operator: operatorIdentity)
        let identity = operatorIdentity
        // One transaction per 1,024 entries; within it, 16 entries then a checkpoint, as the matchmaker signs them.
        var next = 0
        while next < entries.count {
            let end = min(next + 1_024, entries.count)
            let slice = Array(entries[next..<end])
            let base = next
            try await store.database.write { db in
                var start = 0
                while start < slice.count {
                    let stop = min(start + 16, slice.count)
                    try Ledger.append(contentsOf: Array(slice[start..<stop]), operator: identity.peerID, in: db)
                    _ = try Ledger.signCheckpoint(as: identity, timestamp: UInt64(base + stop), in: db)
                    start = stop
                }
            }
            next = end
        }
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// 100 grants, then jobs of escrow, payment and refund (grants fill any remainder), signed on every core.
    private static func sign(count: Int, operator identity: Identity) throws -> [SignedEntry] {
        let operatorID = identity.peerID
        let submitters = (0..<100).map { _ in Identity.generate() }
        let worker = Identity.generate().peerID
        let jobs = max(0, (count - submitters.count) / 3)
        let grants = count - 3 * jobs
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
                    let submitter = submitters[job % submitters.count]
                    switch (index - grants) % 3 {
                    case 0:
                        return try EntryBody(kind: .escrow, from: .peer(submitter.peerID), to: .escrow(job: id),
                                             amount: 10, job: id, author: submitter.peerID,
                                             timestamp: Int64(index)).signed(by: submitter)
                    case 1:
                        return try EntryBody(kind: .payment, from: .escrow(job: id), to: .peer(worker), amount: 7,
                                             job: id, author: operatorID, timestamp: Int64(index)).signed(by: identity)
                    default:
                        return try EntryBody(kind: .refund, from: .escrow(job: id), to: .peer(submitter.peerID),
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
}

final class MixedLedgerSlot: @unchecked Sendable {
    var ledger: MixedLedger?
}

func ledgerMixBenchmarks() {
    let slot = MixedLedgerSlot()
    Benchmark(
        "Ledger verify, LedgerVerifier over a matchmaker-shaped ledger (\(ledgerSizeLabel) entries, a third escrows)",
        configuration: verificationConfiguration()
    ) { benchmark in
        guard let store = slot.ledger?.store else { throw BenchError("the setup did not build the ledger") }
        let result = try await measureVerification(of: store, in: benchmark)
        print("verified: \(result)")
    } setup: {
        slot.ledger = try await MixedLedger()
    } teardown: {
        slot.ledger?.remove()
    }
}
