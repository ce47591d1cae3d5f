import Foundation
import GRDB
import GridCrypto
import GridMerkle
import GridTestKit
import Synchronization
import Testing
@testable import GridCore
@testable import GridLedger

/// A replica fed pages built from a real ledger file, as the matchmaker would serve them.
@Suite("Ledger replica")
struct LedgerReplicaTests {
    let fixture = Fixture()

    /// The page a matchmaker holding `source` serves for `pull`.
    func page(from source: LedgerStore, after: Int64, knownSize: UInt64) async throws -> LedgerPage {
        try await source.database.read { db in
            let latest = try #require(try Ledger.latestCheckpoint(in: db))
            let size = latest.checkpoint.size
            let entries = try Ledger.entries(after: after, limit: Int(Int64(size) - after), in: db)
            let proof = knownSize > 0 && knownSize < size
                ? Data(try Ledger.consistencyProof(from: knownSize, to: size, in: db).serialized) : nil
            return LedgerPage(entries: entries.map { Data($0.leafBytes) }, checkpoint: latest.serialized,
                              consistency: proof)
        }
    }

    func checkpoint(_ source: LedgerStore, at time: UInt64) async throws {
        _ = try await source.database.write { db in
            try Ledger.signCheckpoint(as: fixture.operatorIdentity, timestamp: time, in: db)
        }
    }

    /// A source ledger holding the fixture's history under a checkpoint, and an empty replica of it (checking and
    /// writing pages on a background thread when `background`), in a temporary folder removed after `body`.
    func withCheckpointedSource(background: Bool = false, _ body: (LedgerStore, LedgerReplica) async throws -> Void)
        async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let source = try LedgerStore(path: folder.path("source.sqlite"), operator: fixture.operatorID)
        let replica = try LedgerReplica(path: folder.path("replica.sqlite"), operator: fixture.operatorID,
                                        background: background ? BackgroundThread(name: "test-replica") : nil)
        try await source.append(contentsOf: try fixture.history())
        try await checkpoint(source, at: 10)
        try await body(source, replica)
    }

    @Test("pages that check out are appended with their checkpoints; the replica verifies like the source",
          arguments: [false, true])
    func follows(background: Bool) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let source = try LedgerStore(path: folder.path("source.sqlite"), operator: fixture.operatorID)
        let replica = try LedgerReplica(path: folder.path("replica.sqlite"), operator: fixture.operatorID,
                                        background: background ? BackgroundThread(name: "test-replica") : nil)
        let history = try fixture.history()
        try await source.append(contentsOf: Array(history[0..<4]))
        try await checkpoint(source, at: 10)
        var pull = try await replica.nextPull()
        var step = try await replica.apply(try await page(from: source, after: pull.after, knownSize: pull.knownSize),
                                           now: 1)
        #expect(step == .init(appended: 4, checkpointSize: 4, size: 4, caughtUp: true))
        try await source.append(contentsOf: Array(history[4...]))
        try await checkpoint(source, at: 20)
        pull = try await replica.nextPull()
        #expect(pull == LedgerPull(after: 4, knownSize: 4))
        step = try await replica.apply(try await page(from: source, after: pull.after, knownSize: pull.knownSize),
                                       now: 2)
        #expect(step == .init(appended: 3, checkpointSize: 7, size: 7, caughtUp: true))
        let verification = try await replica.store.verify()
        #expect(verification.isValid, "\(verification)")
        #expect(try await replica.store.balances() == (try await source.balances()))
        #expect(try await replica.evidence().isEmpty)
    }

    @Test("an entry altered in transit, or a checkpoint someone else signed, is refused and nothing is kept",
          arguments: [false, true])
    func refusesBadPages(background: Bool) async throws {
        try await withCheckpointedSource(background: background) { source, replica in
            var good = try await page(from: source, after: 0, knownSize: 0)
            // Entry 3 (an escrow) with its amount changed: its signature no longer matches.
            var altered = good
            var leaf = [UInt8](altered.entries[2])
            let body = try LedgerEntry(leafBytes: leaf).body
            let changed = try EntryBody(kind: body.kind, from: body.from, to: body.to, amount: body.amount - 1,
                                        job: body.job, author: body.author, timestamp: body.timestamp)
            let entry = try LedgerEntry(leafBytes: leaf)
            leaf = LedgerEntry(seq: 3, signed: SignedEntry(body: changed, signature: entry.signed.signature),
                               prevHash: entry.prevHash).leafBytes
            altered.entries[2] = Data(leaf)
            await #expect(throws: ReplicaError.self) { try await replica.apply(altered, now: 1) }
            #expect(try await replica.store.head() == nil)
            // A checkpoint signed by another peer.
            let stranger = try SignedCheckpoint(parsing: try #require(good.checkpoint)).checkpoint
                .sign(with: fixture.alice)
            good.checkpoint = stranger.serialized
            let error = await #expect(throws: ReplicaError.self) { try await replica.apply(good, now: 1) }
            #expect(error?.isFork == false)
            #expect(try await replica.evidence().isEmpty)
        }
    }

    @Test("a cosignature is stored only when it is the witness's signature of a stored checkpoint")
    func cosignatures() async throws {
        try await withCheckpointedSource { source, _ in
            let signed = try #require(try await source.database.read { try Ledger.latestCheckpoint(in: $0) })
            let good = LedgerCosignature(size: 7, witness: fixture.bob.peerID,
                                         signature: Data(Cosignature.sign(signed.checkpoint, by: fixture.bob)))
            #expect(try await source.database.write { try Ledger.addCosignature(good, in: $0) } == 1)
            #expect(try await source.database.write { try Ledger.addCosignature(good, in: $0) } == 1)
            // Alice's signature claimed as Bob's; the operator's own checkpoint signature; another size.
            let claimed = LedgerCosignature(size: 7, witness: fixture.bob.peerID,
                                            signature: Data(Cosignature.sign(signed.checkpoint, by: fixture.alice)))
            let reused = LedgerCosignature(size: 7, witness: fixture.operatorID, signature: Data(signed.signature))
            let elsewhere = LedgerCosignature(size: 6, witness: fixture.bob.peerID, signature: good.signature)
            for bad in [claimed, reused, elsewhere] {
                await #expect(throws: LedgerError.self) {
                    try await source.database.write { try Ledger.addCosignature(bad, in: $0) }
                }
            }
            let stored = try await source.database.read { try Ledger.cosignatures(size: 7, in: $0) }
            #expect(stored == [good])
            #expect(try await source.verify().isValid)
        }
    }

    @Test("with a background thread, every row of a page is written on it, at the idle policy")
    func writesOnBackgroundThread() async throws {
        try await withCheckpointedSource(background: true) { source, replica in
            let observer = WritingThreads()
            try await replica.store.database.writeWithoutTransaction { db in
                db.add(transactionObserver: observer, extent: .observerLifetime)
            }
            let step = try await replica.apply(try await page(from: source, after: 0, knownSize: 0), now: 1)
            #expect(step.appended == 7 && step.caughtUp)
            #expect(observer.policies == [Int(BackgroundThread.idlePolicy)])
            #expect(observer.nices == [Int(BackgroundThread.lowestPriority)])
            #expect(try await replica.store.verify().isValid)
        }
    }

    @Test("an apply cancelled while its page waits for the background thread returns at once and keeps nothing")
    func cancelledWhileWaiting() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let source = try LedgerStore(path: folder.path("source.sqlite"), operator: fixture.operatorID)
        try await source.append(contentsOf: try fixture.history())
        try await checkpoint(source, at: 10)
        let background = BackgroundThread(name: "test-cancel")
        let replica = try LedgerReplica(path: folder.path("replica.sqlite"), operator: fixture.operatorID,
                                        background: background)
        // The thread gets no core (here: it is busy) until the gate opens, as on cores kept busy by jobs.
        let gate = DispatchSemaphore(value: 0)
        let busy = Task { try await background.run { gate.wait() } }
        let page = try await page(from: source, after: 0, knownSize: 0)
        let apply = Task { try await replica.apply(page, now: 1) }
        let deadline = ContinuousClock.now + .seconds(10)
        while background.waitingClosures < 1, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(1))
        }
        apply.cancel()  // what a graceful shutdown does to ReplicaService.run
        // Waited for with a deadline, not awaited: a cancellation that did not reach the caller would wait for the gate.
        let ended = Flag()
        Task { _ = await apply.result; ended.set() }
        let cancelled = ContinuousClock.now
        while !ended.isSet, ContinuousClock.now < cancelled + .seconds(10) {
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(ended.isSet, "the cancelled apply still waits for the thread")
        gate.signal()
        try await busy.value
        await #expect(throws: CancellationError.self) { try await apply.result.get() }
        #expect(try await replica.store.head() == nil)
        // The replica goes on from where it was: the next apply takes the page whole.
        #expect(try await replica.apply(page, now: 2).appended == 7)
    }

    @Test("two checkpoints of one size with different roots are a fork: refused, both kept, verify reports it",
          arguments: [false, true])
    func forkAtSameSize(background: Bool) async throws {
        try await withCheckpointedSource(background: background) { source, replica in
            let good = try await page(from: source, after: 0, knownSize: 0)
            _ = try await replica.apply(good, now: 1)
            // The operator signs another root for the same 7 entries.
            let other = try Checkpoint(origin: Ledger.origin(of: fixture.operatorID), size: 7,
                                       root: TreeHasher.leafHash([1, 2, 3]), timestamp: 11)
            let forked = LedgerPage(entries: [], checkpoint: other.sign(with: fixture.operatorIdentity).serialized,
                                    consistency: nil)
            let error = await #expect(throws: ReplicaError.self) { try await replica.apply(forked, now: 2) }
            #expect(error?.isFork == true)
            let evidence = try await replica.evidence()
            #expect(evidence.count == 1)
            #expect(evidence.first?.trusted == good.checkpoint)
            #expect(evidence.first?.conflicting == other.sign(with: fixture.operatorIdentity).serialized)
            let verification = try await replica.store.verify()
            #expect(verification.failure?.reason.hasPrefix("Equivocation: the operator signed two checkpoints") == true)
            await #expect(throws: ReplicaError.self) {
                try await replica.sync(now: 3) { _ in .failure("not reached") }
            }
        }
    }
}

/// The scheduling policy and nice value of every thread that changed a row, seen from inside the transactions.
final class WritingThreads: TransactionObserver, Sendable {
    private let seen = Mutex<(policies: Set<Int>, nices: Set<Int>)>(([], []))
    var policies: Set<Int> { seen.withLock { $0.policies } }
    var nices: Set<Int> { seen.withLock { $0.nices } }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { true }

    func databaseDidChange(with event: DatabaseEvent) {
        let thread = try? ThreadInfo.current()
        seen.withLock {
            $0.policies.insert(thread?.policy ?? -1)
            $0.nices.insert(thread?.nice ?? -100)
        }
    }

    func databaseDidCommit(_ db: Database) {}
    func databaseDidRollback(_ db: Database) {}
}
