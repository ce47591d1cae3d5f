import GridCore
import Testing

@testable import GridMatchmaker

/// What a restarted matchmaker decides about the jobs it finds unfinished in its store.
@Suite("Reloading unfinished jobs")
struct ReloadTests {
    static let t0 = ContinuousClock.now

    static func record(_ job: SchedulableJob, _ status: JobStatus, worker: PeerID? = nil) -> JobRecord {
        JobRecord(id: job.id, capability: job.capability, version: "*", submitter: job.submitter, status: status,
                  worker: worker, attempts: job.attempts, maxCredits: job.maxCredits, submittedAt: 1)
    }

    static func scheduler(maxAttempts: Int) -> Scheduler {
        var configuration = Scheduler.Configuration()
        configuration.maxAttempts = maxAttempts
        return Scheduler(configuration: configuration)
    }

    @Test("a job that was running on its last attempt fails, naming the worker and the restart")
    func runningOnLastAttemptFails() throws {
        var s = Self.scheduler(maxAttempts: 1)
        var job = SchedulerTests.schedulable(1, "primes.count")
        job.attempts = 1
        let directives = MatchmakerService.reload(
            job, record: Self.record(job, .running, worker: SchedulerTests.peer(7)), into: &s, now: Self.t0)
        #expect(directives.count == 1)
        guard case .fail(let id, let reason) = try #require(directives.first) else {
            Issue.record("expected a failure, got \(directives)")
            return
        }
        #expect(id == job.id)
        #expect(reason.contains("the matchmaker stopped while attempt 1 ran on worker \(SchedulerTests.peer(7).short)"))
        #expect(reason.contains("gave up after 1 attempts"))
        #expect(!s.isQueued(job.id))
    }

    @Test("a job that was running with attempts left is requeued and prefers another worker")
    func runningWithAttemptsLeftIsRequeued() {
        var s = Self.scheduler(maxAttempts: 3)
        var job = SchedulerTests.schedulable(1, "primes.count")
        job.attempts = 1
        let old = SchedulerTests.peer(1)
        let ad = SchedulerTests.ad([("primes.count", "1.0.0")])
        // Workers are never connected at start-up; here two are, to show which one the job goes to.
        _ = s.workerJoined(old, ad: ad, now: Self.t0)
        _ = s.workerJoined(SchedulerTests.peer(2), ad: ad, now: Self.t0)
        let directives = MatchmakerService.reload(job, record: Self.record(job, .running, worker: old), into: &s,
                                                  now: Self.t0)
        #expect(directives == [
            .requeue(job.id, reason: "the matchmaker stopped while attempt 1 ran on worker \(old.short)"),
            .assign(job.id, to: SchedulerTests.peer(2), attempt: 2),
        ])
    }

    @Test("a queued job out of attempts (the limit was lowered) fails at once; others wait for workers")
    func queuedJobs() {
        var s = Self.scheduler(maxAttempts: 2)
        var spent = SchedulerTests.schedulable(1, "primes.count")
        spent.attempts = 2
        let fresh = SchedulerTests.schedulable(2, "primes.count")
        let failed = MatchmakerService.reload(spent, record: Self.record(spent, .queued), into: &s, now: Self.t0)
        #expect(failed == [.fail(spent.id, reason: "it used all 2 attempts")])
        #expect(MatchmakerService.reload(fresh, record: Self.record(fresh, .queued), into: &s, now: Self.t0).isEmpty)
        #expect(s.isQueued(fresh.id))
    }
}
