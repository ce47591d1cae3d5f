import GridCore
import Testing

@testable import GridMatchmaker

/// Jobs no worker takes fail after their queue timeout, so their credits are not held for ever. Pure, made-up instants.
@Suite("Scheduler queue timeout")
struct QueueTimeoutTests {
    static let t0 = ContinuousClock.now

    static func scheduler(queueTimeout: Duration?) -> Scheduler {
        var configuration = Scheduler.Configuration()
        configuration.queueTimeout = queueTimeout
        return Scheduler(configuration: configuration)
    }

    static func job(_ n: Int, _ capability: String, queueTimeout: Int? = nil) -> SchedulableJob {
        var job = SchedulerTests.schedulable(n, capability)
        job.queueTimeoutSeconds = queueTimeout
        return job
    }

    @Test("a job nobody offers fails at the matchmaker's default, saying why it waited")
    func defaultTimeout() throws {
        var s = Self.scheduler(queueTimeout: .seconds(30))
        _ = s.workerJoined(SchedulerTests.peer(1), ad: SchedulerTests.ad([("hash.sha256", "1.0.0")]), now: Self.t0)
        #expect(s.jobSubmitted(Self.job(1, "image.thumbnail"), now: Self.t0).isEmpty)
        #expect(s.tick(now: Self.t0 + .seconds(29)).isEmpty)
        #expect(s.isQueued(SchedulerTests.job(1)))
        let directives = s.tick(now: Self.t0 + .seconds(30))
        #expect(directives.count == 1)
        guard case .fail(let id, let reason) = try #require(directives.first) else {
            Issue.record("expected a failure, got \(directives)")
            return
        }
        #expect(id == SchedulerTests.job(1))
        #expect(reason.hasPrefix("no worker took it within its queue timeout of 30 s"))
        #expect(reason.contains("no connected worker offers capability 'image.thumbnail'"))
        #expect(reason.contains("capabilities on offer: hash.sha256"))
        #expect(!s.isQueued(SchedulerTests.job(1)))
        // Failed once: later ticks say nothing more, and a worker arriving finds nothing to run.
        #expect(s.tick(now: Self.t0 + .seconds(60)).isEmpty)
        #expect(s.workerJoined(SchedulerTests.peer(2), ad: SchedulerTests.ad([("image.thumbnail", "1.0.0")]),
                               now: Self.t0 + .seconds(61)).isEmpty)
    }

    @Test("a job's own queue timeout wins over the default, shorter or longer")
    func perJobOverride() {
        var s = Self.scheduler(queueTimeout: .seconds(30))
        _ = s.jobSubmitted(Self.job(1, "a.b", queueTimeout: 5), now: Self.t0)
        _ = s.jobSubmitted(Self.job(2, "a.b", queueTimeout: 100), now: Self.t0)
        _ = s.jobSubmitted(Self.job(3, "a.b"), now: Self.t0)
        let early = s.tick(now: Self.t0 + .seconds(5))
        #expect(early.map(\.job) == [SchedulerTests.job(1)])
        #expect(s.tick(now: Self.t0 + .seconds(30)).map(\.job) == [SchedulerTests.job(3)])
        #expect(s.tick(now: Self.t0 + .seconds(99)).isEmpty)
        #expect(s.tick(now: Self.t0 + .seconds(100)).map(\.job) == [SchedulerTests.job(2)])
        guard case .fail(_, let reason) = early.first else { return }
        #expect(reason.contains("within its queue timeout of 5 s"))
        #expect(reason.contains("none (no worker is connected)"))
    }

    @Test("without a default, a job waits for ever unless it sets its own")
    func noDefault() {
        var s = Self.scheduler(queueTimeout: nil)
        _ = s.jobSubmitted(Self.job(1, "a.b"), now: Self.t0)
        _ = s.jobSubmitted(Self.job(2, "a.b", queueTimeout: 10), now: Self.t0)
        #expect(s.tick(now: Self.t0 + .seconds(1_000_000)).map(\.job) == [SchedulerTests.job(2)])
        #expect(s.isQueued(SchedulerTests.job(1)))
    }

    @Test("a job a worker took is not failed by the queue timeout, even when requeued")
    func takenJobsAreExempt() {
        var s = Self.scheduler(queueTimeout: .seconds(30))
        _ = s.workerJoined(SchedulerTests.peer(1), ad: SchedulerTests.ad([("a.b", "1.0.0")]), now: Self.t0)
        #expect(s.jobSubmitted(SchedulerTests.schedulable(1, "a.b", timeout: 1000), now: Self.t0).count == 1)
        #expect(s.tick(now: Self.t0 + .seconds(31)).isEmpty)  // running, well within its lease
        _ = s.workerLeft(SchedulerTests.peer(1), now: Self.t0 + .seconds(32))
        #expect(s.isQueued(SchedulerTests.job(1)))
        #expect(s.tick(now: Self.t0 + .seconds(100)).isEmpty)
        #expect(s.isQueued(SchedulerTests.job(1)))
    }

    @Test("a cancelled job leaves no deadline behind")
    func cancelledJob() {
        var s = Self.scheduler(queueTimeout: .seconds(30))
        _ = s.jobSubmitted(Self.job(1, "a.b"), now: Self.t0)
        let cancelled = s.cancel(SchedulerTests.job(1))
        #expect(cancelled)
        #expect(s.tick(now: Self.t0 + .seconds(31)).isEmpty)
        #expect(s.queueDeadlines.isEmpty)
    }
}

extension Scheduler.Directive {
    /// The job a directive is about.
    var job: JobID {
        switch self {
        case .assign(let id, _, _, _), .requeue(let id, _), .fail(let id, _): return id
        }
    }
}
