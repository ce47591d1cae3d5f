import Foundation
import GridCore
import GridCrypto
import GridLedger
import GridTestKit
import Logging
import Testing

@testable import GridMatchmaker

/// A redundant job survives a matchmaker restart: the runs that ended are reloaded from `job_runs`, the others are
/// queued again, away from the workers already used; and runs that already decide it settle it at start.
@Suite("Quorum across a restart")
struct QuorumRestartTests {
    let fixture: MatchmakerStoreTests

    init() throws {
        fixture = try MatchmakerStoreTests()
    }

    func redundantSubmission(_ id: String, redundancy: Int, quorum: Int) throws -> Submission {
        let request = JobRequest(capability: "text.uppercase", input: Data("hi".utf8), maxCredits: 4,
                                 redundancy: redundancy, quorum: quorum)
        let escrow = try EntryBody(kind: .escrow, from: .peer(fixture.submitter.peerID), to: .escrow(job: id),
                                   amount: Int64(request.escrowCredits), job: id, author: fixture.submitter.peerID,
                                   timestamp: 1)
        return Submission(id: JobID(id)!, request: request, escrowTimestamp: 1,
                          escrowSignature: Data(try escrow.signed(by: fixture.submitter).signature))
    }

    func report(_ worker: PeerID, _ output: String) -> RunReport {
        RunReport(worker: worker, attempt: 1, output: Data(output.utf8), failure: nil, cpuMillis: 1, cost: 3)
    }

    func service() throws -> MatchmakerService {
        try MatchmakerService(configuration: MatchmakerConfiguration(databasePath: fixture.folder.file("mm.sqlite")),
                              identity: fixture.operatorIdentity, logger: Logger(label: "test"))
    }

    @Test("runs that ended are reloaded; the rest wait again, kept from the workers already used")
    func resumes() async throws {
        defer { fixture.folder.remove() }
        let store = try fixture.store()
        let id = JobID("r1")!
        _ = try store.insert(try redundantSubmission("r1", redundancy: 3, quorum: 2), from: fixture.submitter.peerID,
                             now: 5)
        try store.markRunning(JobID(run: 2, of: id), worker: fixture.worker.peerID, attempt: 1)
        try await store.writer.write { db in
            try MatchmakerStore.recordRun(JobID(run: 1, of: id), report: self.report(self.fixture.worker.peerID, "HI"),
                                          failure: nil, in: db)
        }
        let service = try service()
        let tally = try #require(await service.quorums[id])
        #expect(tally.ended.map(\.run) == [JobID(run: 1, of: id)])
        #expect(tally.outstanding == [JobID(run: 2, of: id), JobID(run: 3, of: id)])
        let scheduler = await service.scheduler
        #expect(scheduler.isQueued(JobID(run: 2, of: id)) && scheduler.isQueued(JobID(run: 3, of: id)))
        #expect(scheduler.runWorkers(of: id) == [fixture.worker.peerID])
    }

    @Test("runs that already decide the job settle it at start, paying the agreeing workers once")
    func settlesAtStart() async throws {
        defer { fixture.folder.remove() }
        let store = try fixture.store()
        let id = JobID("r2")!
        let other = Identity.generate().peerID
        _ = try store.insert(try redundantSubmission("r2", redundancy: 2, quorum: 2), from: fixture.submitter.peerID,
                             now: 5)
        try await store.writer.write { db in
            try MatchmakerStore.recordRun(JobID(run: 1, of: id), report: self.report(self.fixture.worker.peerID, "HI"),
                                          failure: nil, in: db)
            try MatchmakerStore.recordRun(JobID(run: 2, of: id), report: self.report(other, "HI"), failure: nil, in: db)
        }
        let service = try service()
        #expect(await service.quorums[id] == nil)
        let record = try #require(try store.job(id))
        #expect(record.status == .succeeded && record.credits == 6 && record.output == Data("HI".utf8))
        #expect(try store.balance(of: other) == 3)
        #expect(try store.endedRuns(of: id).isEmpty, "the runs are dropped once settled")
        let verification = try await store.database.read { db in
            LedgerVerifier.verify(in: db, operator: fixture.operatorIdentity.peerID)
        }
        #expect(verification.isValid, "\(verification)")
    }
}
