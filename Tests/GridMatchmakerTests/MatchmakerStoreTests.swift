import Foundation
import GridCore
import GridClient
import GridCrypto
import GridLedger
import GridTestKit
import Testing

@testable import GridMatchmaker

/// The store on a real SQLite file in a temporary folder.
@Suite("Matchmaker store")
struct MatchmakerStoreTests {
    let folder: TemporaryFolder
    let operatorIdentity = Identity.generate()
    let submitter = Identity.generate()
    let worker = Identity.generate()

    init() throws {
        folder = try TemporaryFolder("grid-store")
    }

    func store(grant: Int = 100) throws -> MatchmakerStore {
        try MatchmakerStore(path: folder.file("mm.sqlite"), identity: operatorIdentity, grantCredits: grant)
    }

    func submission(_ id: String, maxCredits: Int = 10, signer: Identity? = nil) throws -> Submission {
        let request = JobRequest(capability: "text.uppercase", input: Data("hi".utf8), maxCredits: maxCredits)
        let escrow = try EntryBody(kind: .escrow, from: .peer(submitter.peerID), to: .escrow(job: id),
                                   amount: Int64(maxCredits), job: id, author: submitter.peerID, timestamp: 1, memo: nil)
        let signature = try escrow.signed(by: signer ?? submitter).signature
        return Submission(id: JobID(id)!, request: request, escrowTimestamp: 1, escrowSignature: Data(signature))
    }

    @Test("a job and its escrow are stored together, with the first-contact grant")
    func insertEscrows() throws {
        defer { folder.remove() }
        let store = try store()
        let record = try store.insert(submission("j1"), from: submitter.peerID, now: 5)
        #expect(record.status == .queued)
        #expect(try store.balance(of: submitter.peerID) == 90)
        #expect(try store.request(JobID("j1")!)?.capability == "text.uppercase")
    }

    @Test("submitting the same id again returns the stored job and escrows once")
    func idempotent() throws {
        defer { folder.remove() }
        let store = try store()
        _ = try store.insert(submission("j1"), from: submitter.peerID, now: 5)
        _ = try store.insert(submission("j1"), from: submitter.peerID, now: 6)
        #expect(try store.balance(of: submitter.peerID) == 90)
        #expect(try store.jobs(submittedBy: submitter.peerID).count == 1)
    }

    @Test("a stored job reports its submitter's balance after its escrow, as the file has it; a resubmission none")
    func reportsBalanceAfterEscrow() async throws {
        defer { folder.remove() }
        let store = try store()
        var seqs: [Int64] = []
        for id in ["j1", "j2"] {
            let stored = try await store.writer.write { db in
                try store.insertIfNew(try self.submission(id), from: self.submitter.peerID, now: 5, in: db)
            }
            let reported = try #require(stored.balance)
            #expect(reported.balance == Int64(try store.balance(of: submitter.peerID)))
            seqs.append(reported.seq)
        }
        #expect(try store.balance(of: submitter.peerID) == 80)
        #expect(seqs[1] > seqs[0])
        let again = try await store.writer.write { db in
            try store.insertIfNew(try self.submission("j1"), from: self.submitter.peerID, now: 6, in: db)
        }
        #expect(!again.isNew && again.balance == nil)
    }

    @Test("a resubmission is told apart from a new job, even when the stored row is older than the job's state")
    func resubmissionIsNotNew() async throws {
        defer { folder.remove() }
        let store = try store()
        let first = try await store.submitIfNew(try submission("j1"), from: submitter.peerID, now: 5)
        #expect(first.isNew && first.record.status == .queued)
        // The matchmaker placed it and is settling it; a client resubmitting the id meanwhile must not place it again
        // (the row read for the resubmission may still say queued).
        let again = try await store.submitIfNew(try submission("j1"), from: submitter.peerID, now: 6)
        #expect(!again.isNew)
        #expect(again.record.id == first.record.id && again.record.submittedAt == 5)
        _ = try store.settleFailure(JobID("j1")!, worker: nil, message: "done", now: 7)
        let late = try await store.submitIfNew(try submission("j1"), from: submitter.peerID, now: 8)
        #expect(!late.isNew && late.record.status == .failed)
    }

    @Test("a job is settled once: a second failure or success is refused and refunds nothing")
    func settledOnce() throws {
        defer { folder.remove() }
        let store = try store()
        let id = JobID("j1")!
        _ = try store.insert(submission("j1"), from: submitter.peerID, now: 5)
        _ = try store.settleFailure(id, worker: nil, message: "first", now: 6)
        #expect(try store.balance(of: submitter.peerID) == 100)
        let again = try #require(throws: MatchmakerError.self) {
            try store.settleFailure(id, worker: nil, message: "again", now: 7)
        }
        let success = try #require(throws: MatchmakerError.self) {
            try store.settleSuccess(id, worker: worker.peerID, output: Data(), cost: 3, now: 7)
        }
        #expect(again.isAlreadyFinal && success.isAlreadyFinal)
        #expect(success.description == MatchmakerError.alreadyFinal(id, .failed).description)
        let unknown = try #require(throws: MatchmakerError.self) {
            try store.settleFailure(JobID("j9")!, worker: nil, message: "never submitted", now: 7)
        }
        #expect(unknown.description == MatchmakerError.unknownJob(JobID("j9")!).description)
        #expect(try store.balance(of: submitter.peerID) == 100)
        #expect(try store.balance(of: worker.peerID) == 0)
        #expect(try store.job(id)?.message == "first")
    }

    @Test("a submitter without enough credits is refused and nothing is stored")
    func refusesOverdraft() throws {
        defer { folder.remove() }
        let store = try store(grant: 5)
        #expect(throws: (any Error).self) { try store.insert(submission("j1", maxCredits: 6), from: submitter.peerID, now: 5) }
        #expect(try store.jobs(submittedBy: submitter.peerID).isEmpty)
        #expect(try store.job(JobID("j1")!) == nil)
    }

    @Test("an escrow signed by someone else is refused")
    func refusesForgedEscrow() throws {
        defer { folder.remove() }
        let store = try store()
        #expect(throws: (any Error).self) {
            try store.insert(submission("j1", signer: worker), from: submitter.peerID, now: 5)
        }
        #expect(try store.jobs(submittedBy: submitter.peerID).isEmpty)
    }

    @Test("an escrow signed by someone else is refused through the group commit too, where it is checked off the writer")
    func refusesForgedEscrowInGroupCommit() async throws {
        defer { folder.remove() }
        let store = try store()
        let honest = try submission("j1")
        let forged = Submission(id: honest.id, request: honest.request, escrowTimestamp: honest.escrowTimestamp,
                                escrowSignature: Data(repeating: 7, count: 64))
        #expect(try PreparedSubmission(forged, from: submitter.peerID, cache: nil).escrow.knownValid == false)
        #expect(try PreparedSubmission(try submission("j2"), from: submitter.peerID, cache: nil).escrow.knownValid)
        await #expect(throws: (any Error).self) {
            try await store.submitIfNew(forged, from: self.submitter.peerID, now: 5)
        }
        #expect(try store.job(JobID("j1")!) == nil)
        let stored = try await store.submitIfNew(try submission("j2"), from: submitter.peerID, now: 6)
        #expect(stored.isNew && stored.record.status == .queued)
    }

    @Test("escrows a client batch-signed are stored with their proofs, settle and prove; a moved proof is refused")
    func batchSignedSubmissions() async throws {
        defer { folder.remove() }
        let store = try store()
        let requests = (0..<3).map { _ in
            JobRequest(capability: "text.uppercase", input: Data("hi".utf8), maxCredits: 10)
        }
        let batch = try GridClient.submissions(for: requests, signedBy: submitter)
        let moved = Submission(id: batch[0].id, request: batch[0].request, escrowTimestamp: batch[0].escrowTimestamp,
                               escrowSignature: batch[1].escrowSignature)
        #expect(try PreparedSubmission(moved, from: submitter.peerID, cache: store.escrowSignatures).escrow.knownValid
            == false)
        await #expect(throws: (any Error).self) { try await store.submitIfNew(moved, from: self.submitter.peerID, now: 5) }
        for submission in batch {
            let stored = try await store.submitIfNew(submission, from: submitter.peerID, now: 5)
            #expect(stored.isNew)
        }
        #expect(try store.balance(of: submitter.peerID) == 70)
        let id = batch[2].id
        let report = RunReport(worker: worker.peerID, attempt: 1, output: Data("HI".utf8), failure: nil, cpuMillis: 1,
                               cost: 3)
        _ = try await store.writer.write { db in
            try store.settle(id, Settlement.success(report, maxCredits: 10), now: 9, in: db)
        }
        try store.checkpointIfDue(now: 10, everyEntries: 1, interval: .zero)
        let receipt = try await store.database.read { db in try Ledger.jobReceipt(forJob: id.rawValue, in: db) }
        let proven = try receipt.verify(trustedOperator: operatorIdentity.peerID)
        let escrow = try #require(proven.first { $0.body.kind == .escrow })
        #expect(escrow.signed.batchProof?.treeSize == 3 && escrow.signed.batchProof?.leafIndex == 2)
        let verification = try await store.database.read { db in
            LedgerVerifier.verify(in: db, operator: operatorIdentity.peerID)
        }
        #expect(verification.isValid, "\(verification)")
    }

    @Test("entries signed before the write are used when they fit the row, and rebuilt by the writer when they do not")
    func presignedSettlement() async throws {
        defer { folder.remove() }
        let store = try store()
        _ = try await store.submitIfNew(try submission("j1"), from: submitter.peerID, now: 5)
        _ = try await store.submitIfNew(try submission("j2"), from: submitter.peerID, now: 5)
        let report = RunReport(worker: worker.peerID, attempt: 1, output: Data("HI".utf8), failure: nil, cpuMillis: 1,
                               cost: 3)
        let settlement = Settlement.success(report, maxCredits: 10)
        let fitting = try SignedSettlement(job: JobID("j1")!, settlement, capability: "text.uppercase", escrowed: 10,
                                           submitter: submitter.peerID, now: 9, identity: operatorIdentity)
        #expect(fitting.fits(capability: "text.uppercase", escrowed: 10, submitter: submitter.peerID))
        // Built from a wrong escrow: it does not fit the row, so the writer builds the right entries itself (paying 3,
        // not the 2 this escrow capped the payment at) and writes what they pay in the row.
        let stale = try SignedSettlement(job: JobID("j2")!, settlement, capability: "text.uppercase", escrowed: 2,
                                         submitter: submitter.peerID, now: 9, identity: operatorIdentity)
        #expect(!stale.fits(capability: "text.uppercase", escrowed: 10, submitter: submitter.peerID))
        let first = try await store.writer.write { db in
            try store.settle(JobID("j1")!, settlement, now: 9, signed: fitting, in: db)
        }
        let second = try await store.writer.write { db in
            try store.settle(JobID("j2")!, settlement, now: 9, signed: stale, in: db)
        }
        #expect(stale.paid == 2)
        #expect(first.credits == 3 && second.credits == 3)
        #expect(try store.job(JobID("j2")!)?.credits == 3)
        #expect(second == (try store.job(JobID("j2")!)))
        #expect(try store.balance(of: worker.peerID) == 6)
        #expect(try store.balance(of: submitter.peerID) == 100 - 6)
        let verification = try await store.database.read { db in
            LedgerVerifier.verify(in: db, operator: operatorIdentity.peerID)
        }
        #expect(verification.isValid, "\(verification)")
    }

    @Test("success pays the worker the cost and refunds the rest; the ledger verifies")
    func settleSuccess() async throws {
        defer { folder.remove() }
        let store = try store()
        _ = try store.insert(submission("j1"), from: submitter.peerID, now: 5)
        try store.grantIfNew(worker.peerID, now: 5)
        try store.markRunning(JobID("j1")!, worker: worker.peerID, attempt: 1)
        let done = try store.settleSuccess(JobID("j1")!, worker: worker.peerID, output: Data("HI".utf8), cost: 3, now: 9)
        #expect(done.status == .succeeded)
        #expect(done.credits == 3)
        #expect(done.output == Data("HI".utf8))
        #expect(try store.balance(of: submitter.peerID) == 97)
        #expect(try store.balance(of: worker.peerID) == 103)
        let verification = try await LedgerStore(existingAt: folder.file("mm.sqlite")).verify()
        #expect(verification.isValid, "\(verification)")
    }

    @Test("failure refunds the whole escrow")
    func settleFailure() throws {
        defer { folder.remove() }
        let store = try store()
        _ = try store.insert(submission("j1"), from: submitter.peerID, now: 5)
        let failed = try store.settleFailure(JobID("j1")!, worker: nil, message: "boom", now: 9)
        #expect(failed.status == .failed)
        #expect(failed.message == "boom")
        #expect(try store.balance(of: submitter.peerID) == 100)
    }

    @Test("unfinished jobs survive a restart")
    func reload() throws {
        defer { folder.remove() }
        do {
            let store = try store()
            _ = try store.insert(submission("j1"), from: submitter.peerID, now: 5)
            _ = try store.insert(submission("j2"), from: submitter.peerID, now: 6)
            try store.markRunning(JobID("j2")!, worker: worker.peerID, attempt: 1)
        }
        let reopened = try store()
        #expect(try reopened.unfinished().map(\.record.id.rawValue) == ["j1", "j2"])
    }
}

/// The attempts table behind `grid explain`.
@Suite("Matchmaker store: attempts")
struct AttemptStoreTests {
    @Test("a start is written with the running mark, an end once; open attempts end as lost at start-up")
    func attempts() async throws {
        let fixture = try MatchmakerStoreTests()
        defer { fixture.folder.remove() }
        let store = try fixture.store()
        let id = JobID("j1")!
        let worker = fixture.worker.peerID
        _ = try store.insert(fixture.submission("j1"), from: fixture.submitter.peerID, now: 5)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            store.enqueueRunning(id, worker: worker, attempt: 1, now: 10) { error in
                if let error { continuation.resume(throwing: error) } else { continuation.resume() }
            }
        }
        #expect(try store.job(id)?.status == .running)
        #expect(try store.attempts(of: id) == [JobExplanation.Attempt(attempt: 1, worker: worker, startedAt: 10)])

        let output = Data("HELLO".utf8)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            store.enqueueAttemptEnd(id, attempt: 1, outcome: .failed, reason: "plugin error", output: nil, now: 20) {
                if let error = $0 { continuation.resume(throwing: error) } else { continuation.resume() }
            }
        }
        // A second end of the same attempt (a late report) changes nothing.
        try await store.writer.write { db in
            try MatchmakerStore.recordAttemptEnd(id, attempt: 1, outcome: .succeeded, reason: nil, output: output,
                                                 now: 21, in: db)
            try MatchmakerStore.recordAttemptStart(id, attempt: 2, worker: worker, now: 30, in: db)
            try MatchmakerStore.recordAttemptEnd(id, attempt: 2, outcome: .succeeded, reason: nil, output: output,
                                                 now: 40, in: db)
            try MatchmakerStore.recordAttemptStart(id, attempt: 3, worker: worker, now: 50, in: db)
        }
        try store.endOpenAttempts(now: 60)
        #expect(try store.attempts(of: id) == [
            .init(attempt: 1, worker: worker, startedAt: 10, endedAt: 20, outcome: .failed, reason: "plugin error"),
            .init(attempt: 2, worker: worker, startedAt: 30, endedAt: 40, outcome: .succeeded,
                  outputDigest: "3733cd977ff8eb18b987357e22ced99f46097f31ecb239e878ae63760e83e4d5"),
            .init(attempt: 3, worker: worker, startedAt: 50, endedAt: 60, outcome: .lost,
                  reason: "the matchmaker stopped while it ran"),
        ])
        #expect(try store.attempts(of: JobID("none")!).isEmpty)

        // The runs of a redundant job are filed under the job, each with its run number and its own attempts.
        try await store.writer.write { db in
            try MatchmakerStore.recordAttemptStart(JobID(run: 2, of: id), attempt: 1, worker: worker, now: 70, in: db)
            try MatchmakerStore.recordAttemptEnd(JobID(run: 2, of: id), attempt: 1, outcome: .crashed, reason: "died",
                                                 output: nil, now: 80, in: db)
        }
        #expect(try store.attempts(of: id).last == .init(run: 2, attempt: 1, worker: worker, startedAt: 70,
                                                          endedAt: 80, outcome: .crashed, reason: "died"))
    }
}
