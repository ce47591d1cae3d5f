import Foundation
import GridCore
import GridLedger
import Testing

@testable import GridMatchmaker

/// The quorum's decisions, pure: made-up runs and outputs.
@Suite("Quorum tally")
struct QuorumTallyTests {
    typealias S = SchedulerTests
    static let job = JobID("q")!

    static func run(_ n: Int) -> JobID { JobID(run: n, of: job) }

    static func report(_ worker: UInt8, _ output: String?, cost: Int = 3) -> RunReport {
        RunReport(worker: S.peer(worker), attempt: 1, output: output.map { Data($0.utf8) },
                  failure: output == nil ? "it broke" : nil, cpuMillis: 7, plugin: "p", pluginVersion: "1.0.0",
                  capabilityVersion: "1.0.0", cost: cost)
    }

    static func settlement(_ decision: QuorumTally.Decision) -> Settlement? {
        if case .settle(let settlement) = decision { return settlement }
        return nil
    }

    @Test("run ids name their job and number, and only they carry a '~'")
    func runIDs() {
        let run = JobID(run: 3, of: Self.job)
        #expect(run.rawValue == "q~3" && run.isRun && run.parentJob == Self.job && run.runNumber == 3)
        #expect(!Self.job.isRun && Self.job.parentJob == Self.job && Self.job.runNumber == nil)
        #expect(JobID("q~3") == nil, "a client cannot name a run")
        #expect(JobID(wire: "q~3") == run)
        for bad in ["q~0", "q~100", "q~03", "q~", "~1", "q~1~2", "Q~1"] {
            #expect(JobID(wire: bad) == nil, "\(bad)")
        }
    }

    @Test("two of three agreeing succeed once no run is still running; the one that differed is not paid")
    func majorityWins() throws {
        var tally = QuorumTally(job: Self.job, redundancy: 3, quorum: 2, maxCredits: 5)
        #expect(tally.initialRuns == [Self.run(1), Self.run(2), Self.run(3)])
        for n in 1...3 { tally.started(Self.run(n)) }
        #expect(tally.finished(Self.run(1), report: Self.report(1, "yes")) == .wait)
        #expect(tally.finished(Self.run(3), report: Self.report(3, "no")) == .wait)
        let settlement = try #require(Self.settlement(tally.finished(Self.run(2), report: Self.report(2, "yes"))))
        #expect(settlement.status == .succeeded)
        #expect(settlement.output == Data("yes".utf8))
        #expect(settlement.runs.map(\.verdict) == [.accepted, .disagreed, .accepted])
        #expect(settlement.payments == [.init(worker: S.peer(1), amount: 3), .init(worker: S.peer(2), amount: 3)])
        #expect(settlement.message == "quorum 2 of 3 reached: 2 of 3 runs agreed (\(S.peer(3).short) disagreed)")
    }

    @Test("a quorum reached while a run still runs waits for it, and pays it when it agrees")
    func waitsForRunningRuns() throws {
        var tally = QuorumTally(job: Self.job, redundancy: 3, quorum: 2, maxCredits: 2)
        for n in 1...3 { tally.started(Self.run(n)) }
        #expect(tally.finished(Self.run(1), report: Self.report(1, "a")) == .wait)
        #expect(tally.finished(Self.run(2), report: Self.report(2, "a")) == .wait)
        let settlement = try #require(Self.settlement(tally.finished(Self.run(3), report: Self.report(3, "a"))))
        #expect(settlement.payments.map(\.amount) == [2, 2, 2], "each payment is capped at maxCredits")
    }

    @Test("a quorum reached with a run still queued settles at once")
    func queuedRunIsNotWaitedFor() throws {
        var tally = QuorumTally(job: Self.job, redundancy: 3, quorum: 2, maxCredits: 5)
        tally.started(Self.run(1))
        tally.started(Self.run(2))
        #expect(tally.finished(Self.run(1), report: Self.report(1, "a")) == .wait)
        let settlement = try #require(Self.settlement(tally.finished(Self.run(2), report: Self.report(2, "a"))))
        #expect(settlement.status == .succeeded && settlement.runs.count == 2)
        #expect(tally.outstanding == [Self.run(3)], "the queued run is left for the service to withdraw")
    }

    @Test("when agreement is out of reach more runs start, up to twice the redundancy, then the job fails listing every digest")
    func extraRunsThenFailure() throws {
        var tally = QuorumTally(job: Self.job, redundancy: 2, quorum: 2, maxCredits: 5)
        tally.started(Self.run(1))
        tally.started(Self.run(2))
        #expect(tally.finished(Self.run(1), report: Self.report(1, "a")) == .wait)
        #expect(tally.finished(Self.run(2), report: Self.report(2, "b")) == .launch([Self.run(3)]))
        #expect(tally.finished(Self.run(3), report: Self.report(3, "c")) == .launch([Self.run(4)]))
        let settlement = try #require(Self.settlement(tally.failed(Self.run(4), reason: "no worker took it")))
        #expect(settlement.status == .failed && settlement.payments.isEmpty)
        #expect(settlement.runs.map(\.verdict) == [.disagreed, .disagreed, .disagreed])
        let message = try #require(settlement.message)
        #expect(message.hasPrefix("no 2 outputs agreed after 4 runs (quorum 2 of 2, at most 4 runs): "))
        for output in ["a", "b", "c"] {
            #expect(message.contains(Self.report(1, output).outputDigestHex!), "\(output)")
        }
        #expect(message.hasSuffix("q~4 failed: no worker took it"))
    }

    @Test("a quorum of failures fails the job with the failures recorded")
    func failuresFailTheJob() throws {
        var tally = QuorumTally(job: Self.job, redundancy: 3, quorum: 2, maxCredits: 5)
        for n in 1...3 { tally.started(Self.run(n)) }
        #expect(tally.finished(Self.run(1), report: Self.report(1, nil)) == .wait)
        #expect(tally.finished(Self.run(2), report: Self.report(2, nil)) == .wait)
        let settlement = try #require(Self.settlement(tally.finished(Self.run(3), report: Self.report(3, "ok"))))
        #expect(settlement.status == .failed)
        #expect(settlement.message?.hasPrefix("2 of 3 runs failed (quorum 2 of 3)") == true)
        #expect(settlement.runs.map(\.verdict) == [.failed, .failed, .disagreed])
    }

    @Test("a restored tally resumes with the runs that had not ended out again")
    func restore() throws {
        var tally = QuorumTally(job: Self.job, redundancy: 3, quorum: 2, maxCredits: 5)
        tally.restore([.init(run: Self.run(2), report: Self.report(2, "a"), failure: nil)])
        #expect(tally.outstanding == [Self.run(1), Self.run(3)] && tally.running.isEmpty)
        #expect(tally.ended.compactMap { $0.report?.worker } == [S.peer(2)])
        let settlement = try #require(Self.settlement(tally.finished(Self.run(3), report: Self.report(3, "a"))))
        #expect(settlement.status == .succeeded)
    }
}

/// The scheduler keeps the runs of one job on distinct workers and keeps worker standing.
@Suite("Scheduler: runs and standing")
struct SchedulerRunsTests {
    typealias S = SchedulerTests

    static func run(_ n: Int, of job: Int = 1) -> SchedulableJob {
        var copy = S.schedulable(job, "a.b")
        copy.id = JobID(run: n, of: S.job(job))
        return copy
    }

    @Test("runs of one job never share a worker, even a worker with free slots, and a retried run avoids them all")
    func runsOnDistinctWorkers() {
        var s = Scheduler()
        _ = s.workerJoined(S.peer(1), ad: S.ad([("a.b", "1.0.0")], slots: 4), now: S.t0)
        let first = s.jobSubmitted(Self.run(1), now: S.t0)
        let second = s.jobSubmitted(Self.run(2), now: S.t0)
        #expect(first == [.assign(Self.run(1).id, to: S.peer(1), attempt: 1)])
        #expect(second.isEmpty, "the second run waits for another worker")
        #expect(s.jobSubmitted(S.schedulable(2, "a.b"), now: S.t0) == [.assign(S.job(2), to: S.peer(1), attempt: 1)],
                "other jobs still use the worker's free slots")
        #expect(s.workerJoined(S.peer(2), ad: S.ad([("a.b", "1.0.0")]), now: S.t0)
                == [.assign(Self.run(2).id, to: S.peer(2), attempt: 1)])
        _ = s.workerJoined(S.peer(3), ad: S.ad([("a.b", "1.0.0")]), now: S.t0)
        let retried = s.attemptFailed(Self.run(2).id, attempt: 1, by: S.peer(2), reason: "x", now: S.t0)
        #expect(retried?.last == .assign(Self.run(2).id, to: S.peer(3), attempt: 2))
        #expect(s.runWorkers(of: S.job(1)) == [S.peer(1), S.peer(2), S.peer(3)])
        s.redundantJobSettled(S.job(1), runs: [Self.run(1).id, Self.run(2).id])
        #expect(s.runWorkers(of: S.job(1)).isEmpty)
    }

    @Test("a worker with free slots freed at once takes one run of a job, never two")
    func oneRunPerWorkerWhenSlotsFree() {
        var s = Scheduler()
        _ = s.jobSubmitted(Self.run(1), now: S.t0)
        _ = s.jobSubmitted(Self.run(2), now: S.t0)
        let placed = s.workerJoined(S.peer(1), ad: S.ad([("a.b", "1.0.0")], slots: 4), now: S.t0)
        #expect(placed == [.assign(Self.run(1).id, to: S.peer(1), attempt: 1)])
        #expect(s.isQueued(Self.run(2).id))
    }

    @Test("a run whose worker was lost may go back to that worker, but never to one another run of its job used")
    func lostRunMayReturn() {
        var s = Scheduler()
        _ = s.workerJoined(S.peer(1), ad: S.ad([("a.b", "1.0.0")]), now: S.t0)
        _ = s.workerJoined(S.peer(2), ad: S.ad([("a.b", "1.0.0")]), now: S.t0)
        #expect(s.jobSubmitted(Self.run(1), now: S.t0) == [.assign(Self.run(1).id, to: S.peer(1), attempt: 1)])
        #expect(s.jobSubmitted(Self.run(2), now: S.t0) == [.assign(Self.run(2).id, to: S.peer(2), attempt: 1)])
        _ = s.workerLeft(S.peer(1), now: S.t0)
        #expect(s.isQueued(Self.run(1).id), "worker 2 ran the other run, so run 1 waits")
        #expect(s.workerJoined(S.peer(1), ad: S.ad([("a.b", "1.0.0")]), now: S.t0)
                == [.assign(Self.run(1).id, to: S.peer(1), attempt: 2)])
    }

    @Test("a run never goes to an offer that says it is not deterministic, and the reason says why")
    func nondeterministicOffers() {
        var s = Scheduler()
        var ad = S.ad([("a.b", "1.0.0")])
        ad.capabilities[0].deterministic = false
        _ = s.workerJoined(S.peer(1), ad: ad, now: S.t0)
        #expect(s.jobSubmitted(Self.run(1), now: S.t0).isEmpty)
        #expect(s.explainWaiting(Self.run(1).id)
                == "no worker fits: 'a.b' is not deterministic here, so it cannot run a job for a quorum")
        #expect(s.nondeterministicOffer(of: "a.b", in: try! VersionRange(parsing: "*"))?.worker == S.peer(1))
        #expect(s.jobSubmitted(S.schedulable(2, "a.b"), now: S.t0) == [.assign(S.job(2), to: S.peer(1), attempt: 1)],
                "a job run once may use it")
    }

    @Test("failed, crashed and timed-out attempts count in the worker's standing, which expressions see")
    func standing() {
        var s = Scheduler()
        _ = s.workerJoined(S.peer(1), ad: S.ad([("a.b", "1.0.0")]), now: S.t0)
        _ = s.jobSubmitted(S.schedulable(1, "a.b", timeout: 1), now: S.t0)
        _ = s.attemptFailed(S.job(1), attempt: 1, by: S.peer(1), reason: "x", crashed: true, now: S.t0)
        _ = s.tick(now: S.t0 + .seconds(60))
        s.recordStanding(.disagreed, for: S.peer(1))
        #expect(s.standing(of: S.peer(1)) == WorkerStanding(done: 0, failed: 0, timedOut: 1, crashed: 1, disagreed: 1))
        #expect(s.takeStandingChanges().map(\.event) == [.crashed, .timedOut, .disagreed])
        #expect(s.takeStandingChanges().isEmpty)
        var honest = S.schedulable(2, "a.b")
        honest.requirements = try? MatchExpression(parsing: "worker.disagreements == 0")
        #expect(s.jobSubmitted(honest, now: S.t0 + .seconds(60)).isEmpty, "the worker that disagreed is refused")
        _ = s.workerJoined(S.peer(2), ad: S.ad([("a.b", "1.0.0")]), now: S.t0 + .seconds(60))
        #expect(s.isQueued(S.job(2)) == false, "a worker with a clean record takes it")
    }
}
