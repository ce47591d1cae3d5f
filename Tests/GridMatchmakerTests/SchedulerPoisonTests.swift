import GridCore
import Testing

@testable import GridMatchmaker

/// Crashes and new ads: a poison input fails after crashing runners on two workers; a quarantined plugin's
/// capabilities stop drawing jobs.
@Suite("Scheduler: crashes and new ads")
struct SchedulerPoisonTests {
    typealias S = SchedulerTests

    @Test("a job whose input crashed runners on two different workers fails as a likely poison input")
    func poisonInputFailsAfterTwoWorkers() throws {
        var s = Scheduler()
        _ = s.workerJoined(S.peer(1), ad: S.ad([("a.b", "1.0.0")]), now: S.t0)
        _ = s.workerJoined(S.peer(2), ad: S.ad([("a.b", "1.0.0")]), now: S.t0)
        #expect(s.jobSubmitted(S.schedulable(1, "a.b"), now: S.t0) == [.assign(S.job(1), to: S.peer(1), attempt: 1)])
        let first = s.attemptFailed(S.job(1), attempt: 1, by: S.peer(1), reason: "crashed", crashed: true, now: S.t0)
        #expect(first?.last == .assign(S.job(1), to: S.peer(2), attempt: 2))
        let second = s.attemptFailed(S.job(1), attempt: 2, by: S.peer(2), reason: "The plugin p crashed with SIGSEGV",
                                     crashed: true, now: S.t0)
        let failure = try #require(second?.first)
        #expect(failure == .fail(S.job(1), reason: "attempt 2 failed on worker \(S.peer(2).short): The plugin p "
            + "crashed with SIGSEGV; its input crashed the plugin on 2 different workers, so it is failed as a likely "
            + "poison input"))
        // Both workers are free again for other jobs.
        #expect(s.jobSubmitted(S.schedulable(2, "a.b"), now: S.t0) == [.assign(S.job(2), to: S.peer(1), attempt: 1)])
        #expect(s.jobSubmitted(S.schedulable(3, "a.b"), now: S.t0) == [.assign(S.job(3), to: S.peer(2), attempt: 1)])
    }

    @Test("two crashes on the same worker are one worker: the job runs on until its attempts run out")
    func crashesOnOneWorkerCountOnce() {
        var s = Scheduler()
        _ = s.workerJoined(S.peer(1), ad: S.ad([("a.b", "1.0.0")]), now: S.t0)
        _ = s.jobSubmitted(S.schedulable(1, "a.b"), now: S.t0)
        let second = s.attemptFailed(S.job(1), attempt: 1, by: S.peer(1), reason: "x", crashed: true, now: S.t0)
        #expect(second?.last == .assign(S.job(1), to: S.peer(1), attempt: 2))
        let third = s.attemptFailed(S.job(1), attempt: 2, by: S.peer(1), reason: "x", crashed: true, now: S.t0)
        #expect(third?.last == .assign(S.job(1), to: S.peer(1), attempt: 3))
        let last = s.attemptFailed(S.job(1), attempt: 3, by: S.peer(1), reason: "x", crashed: true, now: S.t0)
        guard case .fail(_, let reason)? = last?.first else {
            Issue.record("expected a failure, got \(String(describing: last))")
            return
        }
        #expect(reason.hasSuffix("gave up after 3 attempts"))
    }

    @Test("a crash and a timeout on two workers are not two crashes")
    func timeoutsAreNotCrashes() {
        var s = Scheduler()
        _ = s.workerJoined(S.peer(1), ad: S.ad([("a.b", "1.0.0")]), now: S.t0)
        _ = s.workerJoined(S.peer(2), ad: S.ad([("a.b", "1.0.0")]), now: S.t0)
        _ = s.jobSubmitted(S.schedulable(1, "a.b"), now: S.t0)
        _ = s.attemptFailed(S.job(1), attempt: 1, by: S.peer(1), reason: "crashed", crashed: true, now: S.t0)
        let next = s.attemptFailed(S.job(1), attempt: 2, by: S.peer(2), reason: "timed out", now: S.t0)
        #expect(next?.first == .requeue(S.job(1), reason: "attempt 2 failed on worker \(S.peer(2).short): timed out"))
    }

    @Test("a new ad without a capability stops jobs for it going there; running jobs stay")
    func newAdWithdrawsCapabilities() {
        var s = Scheduler()
        _ = s.workerJoined(S.peer(1), ad: S.ad([("a.b", "1.0.0"), ("c.d", "1.0.0")], slots: 4), now: S.t0)
        #expect(s.jobSubmitted(S.schedulable(1, "a.b"), now: S.t0) == [.assign(S.job(1), to: S.peer(1), attempt: 1)])
        #expect(s.workerAdvertised(S.peer(1), ad: S.ad([("c.d", "1.0.0")], slots: 4), now: S.t0).isEmpty)
        #expect(s.holdsLease(S.job(1), attempt: 1, worker: S.peer(1)))
        #expect(s.jobSubmitted(S.schedulable(2, "a.b"), now: S.t0).isEmpty)
        #expect(s.jobSubmitted(S.schedulable(3, "c.d"), now: S.t0) == [.assign(S.job(3), to: S.peer(1), attempt: 1)])
        #expect(s.workerAdvertised(S.peer(9), ad: S.ad([("a.b", "1.0.0")]), now: S.t0).isEmpty)
    }
}
