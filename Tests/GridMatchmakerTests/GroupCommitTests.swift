import Foundation
import GRDB
import GridCore
import GridCrypto
import GridLedger
import GridTestKit
import Synchronization
import Testing

@testable import GridMatchmaker

/// The store's group commit on a real SQLite file: many events per transaction, answers only after the commit,
/// a refused operation rolled back alone.
@Suite("Group commit")
struct GroupCommitTests {
    @Test("200 submissions at once share transactions, and each is durable when its submitter hears back")
    func submissionsShareTransactions() async throws {
        let fixture = try MatchmakerStoreTests()
        defer { fixture.folder.remove() }
        let store = try fixture.store(grant: 10_000)
        let records = try await withThrowingTaskGroup(of: JobRecord.self) { group in
            for n in 0..<200 {
                let submission = try fixture.submission("g\(n)")
                group.addTask {
                    let record = try await store.submit(submission, from: fixture.submitter.peerID, now: 5)
                    // Durable: another connection to the file sees it as soon as the submitter is answered.
                    // Opening a connection reads the schema, which waits for the writer's lock: give it time.
                    var configuration = Configuration()
                    configuration.busyMode = .timeout(10)
                    let reader = try DatabaseQueue(path: fixture.folder.file("mm.sqlite"), configuration: configuration)
                    let seen = try await reader.read { db in
                        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM jobs WHERE id = ?",
                                         arguments: [submission.id.rawValue])
                    }
                    #expect(seen == 1)
                    return record
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(records.count == 200)
        let counts = store.writer.counts
        #expect(counts.operations == 200)
        #expect(counts.transactions < counts.operations, "\(counts)")
        #expect(try store.balance(of: fixture.submitter.peerID) == 10_000 - 200 * 10)
    }

    @Test("an operation that throws is rolled back alone; the rest of its batch commits")
    func refusedOperationRollsBackAlone() async throws {
        let fixture = try MatchmakerStoreTests()
        defer { fixture.folder.remove() }
        let store = try fixture.store()
        let good = try fixture.submission("ok")
        let overdraft = try fixture.submission("overdraft", maxCredits: 500)
        async let first = Result(catching: { try await store.submit(good, from: fixture.submitter.peerID, now: 5) })
        async let second = Result(catching: { try await store.submit(overdraft, from: fixture.submitter.peerID, now: 5) })
        let (accepted, refused) = await (first, second)
        #expect((try? accepted.get())?.status == .queued)
        #expect((try? refused.get()) == nil)
        #expect(try store.job(JobID("ok")!) != nil)
        #expect(try store.job(JobID("overdraft")!) == nil)
        #expect(try store.balance(of: fixture.submitter.peerID) == 90)
    }

    @Test("queued state changes and a settlement complete in order, after their commit")
    func queuedWritesCompleteInOrder() async throws {
        let fixture = try MatchmakerStoreTests()
        defer { fixture.folder.remove() }
        let store = try fixture.store()
        let id = JobID("j")!
        _ = try await store.submit(try fixture.submission("j"), from: fixture.submitter.peerID, now: 5)
        let order = Mutex<[String]>([])
        let settled: JobRecord = try await withCheckedThrowingContinuation { continuation in
            store.enqueueRunning(id, worker: fixture.worker.peerID, attempt: 1, now: 1) { error in
                order.withLock { $0.append(error == nil ? "running" : "running failed") }
            }
            let report = RunReport(worker: fixture.worker.peerID, attempt: 1, output: Data("HI".utf8), failure: nil,
                                   cpuMillis: 0, cost: 3)
            store.enqueueSettlement(id, .success(report, maxCredits: 10), now: 9) {
                order.withLock { $0.append("settled") }
                continuation.resume(with: $0)
            }
        }
        #expect(order.withLock { $0 } == ["running", "settled"])
        #expect(settled.status == .succeeded && settled.credits == 3)
        #expect(try store.balance(of: fixture.worker.peerID) == 3)
    }

    /// A writer on a scratch file with one table, deferring for `limit`.
    static func scratchWriter(_ folder: TemporaryFolder, limit: Duration) throws -> GroupCommitWriter {
        let pool = try DatabaseFile.open(folder.file("scratch.sqlite"))
        try pool.write { db in try db.execute(sql: "CREATE TABLE marks (name TEXT NOT NULL)") }
        return GroupCommitWriter(database: pool, deferralLimit: limit)
    }

    @Test("a deferrable write starts no transaction: it commits with the next write someone waits for")
    func deferrableRidesWithNextWrite() async throws {
        let folder = try TemporaryFolder("grid-defer")
        defer { folder.remove() }
        // A minute: the deferral's own timer cannot be what commits it during the test.
        let writer = try Self.scratchWriter(folder, limit: .seconds(60))
        let order = Mutex<[String]>([])
        writer.enqueue({ db in try db.execute(sql: "INSERT INTO marks VALUES ('running')") },
                       deferrable: true) { error in
            order.withLock { $0.append(error == nil ? "running" : "running failed") }
        }
        // Decided inside `enqueue`: queued, and no transaction started or scheduled to start for it.
        #expect(writer.backlog.pending == 1 && !writer.backlog.draining)
        #expect(writer.counts.transactions == 0)
        let marks = try await writer.write { db in
            try db.execute(sql: "INSERT INTO marks VALUES ('settled')")
            return try String.fetchAll(db, sql: "SELECT name FROM marks")
        }
        order.withLock { $0.append("settled") }
        #expect(marks == ["running", "settled"])
        #expect(order.withLock { $0 } == ["running", "settled"])
        #expect(writer.counts.transactions == 1 && writer.counts.operations == 2)
    }

    @Test("a deferrable write queued while a transaction runs starts no transaction after it either")
    func deferrableQueuedDuringCommit() async throws {
        let folder = try TemporaryFolder("grid-defer")
        defer { folder.remove() }
        // A minute: the deferral's own timer cannot be what commits it during the test.
        let writer = try Self.scratchWriter(folder, limit: .seconds(60))
        // The settlement's work holds the writer's queue until the deferrable write is queued; nothing here blocks
        // the test's own threads.
        let (entered, enteredSignal) = AsyncStream<Void>.makeStream()
        let (settled, settledSignal) = AsyncStream<(any Error)?>.makeStream()
        let proceed = DispatchSemaphore(value: 0)
        writer.enqueue({ db in
            enteredSignal.yield()
            _ = proceed.wait(timeout: .now() + 10)
            try db.execute(sql: "INSERT INTO marks VALUES ('settled')")
        }, completion: { settledSignal.yield($0) })
        var enteredEvents = entered.makeAsyncIterator()
        _ = await enteredEvents.next()
        // Queued while the settlement's transaction runs, as a worker's standing is.
        writer.enqueue({ db in try db.execute(sql: "INSERT INTO marks VALUES ('standing')") }, deferrable: true)
        proceed.signal()
        var settledEvents = settled.makeAsyncIterator()
        let error = await settledEvents.next()
        #expect(error.map { $0 == nil } == true)
        let deadline = ContinuousClock.now + .seconds(10)
        while writer.backlog.draining, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
        #expect(writer.backlog.pending == 1 && !writer.backlog.draining)
        #expect(writer.counts.transactions == 1)
        // The next write someone waits for carries it.
        let marks = try await writer.write { db in try String.fetchAll(db, sql: "SELECT name FROM marks") }
        #expect(marks == ["settled", "standing"])
        #expect(writer.counts.transactions == 2 && writer.counts.operations == 3)
    }

    @Test("a deferrable write with nothing to ride with commits on its own after the deferral limit")
    func deferrableCommitsAlone() async throws {
        let folder = try TemporaryFolder("grid-defer")
        defer { folder.remove() }
        let writer = try Self.scratchWriter(folder, limit: .milliseconds(5))
        let error: (any Error)? = await withCheckedContinuation { continuation in
            writer.enqueue({ db in try db.execute(sql: "INSERT INTO marks VALUES ('standing')") },
                           deferrable: true) {
                continuation.resume(returning: $0)
            }
        }
        #expect(error == nil)
        #expect(writer.counts.transactions == 1)
        // A second one after the first flush gets a flush of its own too.
        let again: (any Error)? = await withCheckedContinuation { continuation in
            writer.enqueue({ db in try db.execute(sql: "INSERT INTO marks VALUES ('again')") },
                           deferrable: true) {
                continuation.resume(returning: $0)
            }
        }
        #expect(again == nil)
        #expect(writer.counts.transactions == 2)
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
