import GridCore
import Testing

@testable import GridMatchmaker

/// The scheduler is pure: every test drives it with made-up peers, jobs and instants.
@Suite("Scheduler")
struct SchedulerTests {
    static let t0 = ContinuousClock.now

    static func peer(_ n: UInt8) -> PeerID { PeerID(publicKey: [UInt8](repeating: n, count: 32)) }
    static func job(_ n: Int) -> JobID { JobID("job-\(n)")! }

    static func ad(_ capabilities: [(String, String)], slots: Int = 1, labels: [String: String] = [:],
                   cost: Int = 2) -> WorkerAd {
        WorkerAd(capabilities: capabilities.map {
            CapabilityOffer(name: $0.0, version: SemanticVersion($0.1)!, description: "", cost: cost, plugin: "p")
        }, attributes: WorkerAttributes(cores: 2, memoryGB: 4, os: "linux", arch: "x86_64", labels: labels), slots: slots)
    }

    static func schedulable(_ n: Int, _ capability: String, range: String = "*", labels: [String: String] = [:],
                            timeout: Int = 10) -> SchedulableJob {
        SchedulableJob(id: job(n), submitter: peer(99), capability: capability,
                       versionRange: try! VersionRange(parsing: range), labels: labels, timeoutSeconds: timeout,
                       maxCredits: 10)
    }

    @Test("a worker's attributes follow its running jobs exactly as a full rebuild would, slot by slot")
    func attributesFollowRunningJobs() {
        let ad = Self.ad([("hash.sha256", "1.0.0")], slots: 3, labels: ["zone": "eu"])
        let standing = WorkerStanding(done: 4, failed: 1, timedOut: 0, crashed: 0, disagreed: 0)
        var worker = ScheduledWorker(ad: ad, joinedAt: 0, standing: standing)
        for (step, change) in [(1, true), (2, true), (3, true), (2, false), (1, false), (0, false)].enumerated() {
            if change.1 { worker.start(Self.job(change.0)) } else { worker.stop(Self.job(change.0 + 1)) }
            #expect(worker.attributes == MatchRules.attributes(of: ad, running: worker.running.count, standing: standing),
                    "step \(step)")
        }
        #expect(worker.attributes["slots_free"] == .int(3) && worker.attributes["load"] == .decimal(0))
    }

    @Test("a job goes to the only worker offering its capability")
    func routesByCapability() {
        var s = Scheduler()
        _ = s.workerJoined(Self.peer(1), ad: Self.ad([("hash.sha256", "1.0.0")]), now: Self.t0)
        _ = s.workerJoined(Self.peer(2), ad: Self.ad([("primes.count", "1.0.0")]), now: Self.t0)
        #expect(s.jobSubmitted(Self.schedulable(1, "primes.count"), now: Self.t0)
                == [.assign(Self.job(1), to: Self.peer(2), attempt: 1)])
        #expect(s.jobSubmitted(Self.schedulable(2, "hash.sha256"), now: Self.t0)
                == [.assign(Self.job(2), to: Self.peer(1), attempt: 1)])
    }

    @Test("a job without a fitting worker waits, and is placed when one joins")
    func waitsForWorker() {
        var s = Scheduler()
        #expect(s.jobSubmitted(Self.schedulable(1, "image.thumbnail"), now: Self.t0).isEmpty)
        #expect(s.isQueued(Self.job(1)))
        #expect(s.explainWaiting(Self.job(1))?.contains("none (no worker is connected)") == true)
        _ = s.workerJoined(Self.peer(1), ad: Self.ad([("hash.sha256", "1.0.0")]), now: Self.t0)
        let why = s.explainWaiting(Self.job(1)) ?? ""
        #expect(why.contains("no connected worker offers capability 'image.thumbnail'"))
        #expect(why.contains("capabilities on offer: hash.sha256"))
        #expect(s.workerJoined(Self.peer(2), ad: Self.ad([("image.thumbnail", "2.1.0")]), now: Self.t0)
                == [.assign(Self.job(1), to: Self.peer(2), attempt: 1)])
        #expect(!s.isQueued(Self.job(1)))
    }

    @Test("version ranges and labels must fit, and the explanation says which did not")
    func versionAndLabels() {
        var s = Scheduler()
        _ = s.workerJoined(Self.peer(1), ad: Self.ad([("hash.sha256", "1.4.0")], labels: ["zone": "us"]), now: Self.t0)
        #expect(s.jobSubmitted(Self.schedulable(1, "hash.sha256", range: "^2"), now: Self.t0).isEmpty)
        #expect(s.explainWaiting(Self.job(1))?.contains("outside the wanted range ^2") == true)
        #expect(s.jobSubmitted(Self.schedulable(2, "hash.sha256", labels: ["zone": "eu"]), now: Self.t0).isEmpty)
        #expect(s.explainWaiting(Self.job(2))?.contains("label zone=eu is required") == true)
        #expect(s.jobSubmitted(Self.schedulable(3, "hash.sha256", range: "~1.4", labels: ["zone": "us"]), now: Self.t0)
                == [.assign(Self.job(3), to: Self.peer(1), attempt: 1)])
    }

    @Test("slots limit how many jobs a worker runs; finishing one frees a slot for the next")
    func slots() {
        var s = Scheduler()
        _ = s.workerJoined(Self.peer(1), ad: Self.ad([("a.b", "1.0.0")], slots: 2), now: Self.t0)
        #expect(s.jobSubmitted(Self.schedulable(1, "a.b"), now: Self.t0).count == 1)
        #expect(s.jobSubmitted(Self.schedulable(2, "a.b"), now: Self.t0).count == 1)
        #expect(s.jobSubmitted(Self.schedulable(3, "a.b"), now: Self.t0).isEmpty)
        #expect(s.explainWaiting(Self.job(3))?.contains("all slots busy") == true)
        #expect(s.attemptFinished(Self.job(1), attempt: 1, by: Self.peer(1), now: Self.t0)
                == [.assign(Self.job(3), to: Self.peer(1), attempt: 1)])
    }

    @Test("the worker with the most free slots wins; ties go to the lower peer id")
    func spreadsLoad() {
        var s = Scheduler()
        _ = s.workerJoined(Self.peer(2), ad: Self.ad([("a.b", "1.0.0")], slots: 2), now: Self.t0)
        _ = s.workerJoined(Self.peer(1), ad: Self.ad([("a.b", "1.0.0")], slots: 2), now: Self.t0)
        #expect(s.jobSubmitted(Self.schedulable(1, "a.b"), now: Self.t0) == [.assign(Self.job(1), to: Self.peer(1), attempt: 1)])
        #expect(s.jobSubmitted(Self.schedulable(2, "a.b"), now: Self.t0) == [.assign(Self.job(2), to: Self.peer(2), attempt: 1)])
    }

    @Test("a worker that leaves mid-job has the job requeued and given to another worker")
    func requeueOnDisconnect() {
        var s = Scheduler()
        _ = s.workerJoined(Self.peer(1), ad: Self.ad([("a.b", "1.0.0")]), now: Self.t0)
        _ = s.jobSubmitted(Self.schedulable(1, "a.b"), now: Self.t0)
        let left = s.workerLeft(Self.peer(1), now: Self.t0)
        #expect(left.count == 1)
        guard case .requeue(let id, let reason) = left.first else {
            Issue.record("expected a requeue, got \(left)")
            return
        }
        #expect(id == Self.job(1))
        #expect(reason.contains("disconnected"))
        #expect(s.isQueued(Self.job(1)))
        #expect(s.workerJoined(Self.peer(2), ad: Self.ad([("a.b", "1.0.0")]), now: Self.t0)
                == [.assign(Self.job(1), to: Self.peer(2), attempt: 2)])
        // The first worker's late answer is ignored.
        #expect(s.attemptFinished(Self.job(1), attempt: 1, by: Self.peer(1), now: Self.t0) == nil)
        #expect(s.attemptFinished(Self.job(1), attempt: 2, by: Self.peer(2), now: Self.t0) == [])
    }

    @Test("a lease past its deadline is a lost attempt; after maxAttempts the job fails")
    func leaseExpiryAndMaxAttempts() {
        var configuration = Scheduler.Configuration()
        configuration.maxAttempts = 2
        configuration.leaseGrace = .seconds(1)
        var s = Scheduler(configuration: configuration)
        _ = s.workerJoined(Self.peer(1), ad: Self.ad([("a.b", "1.0.0")]), now: Self.t0)
        _ = s.jobSubmitted(Self.schedulable(1, "a.b", timeout: 10), now: Self.t0)
        #expect(s.tick(now: Self.t0 + .seconds(10)).isEmpty)
        let first = s.tick(now: Self.t0 + .seconds(11))
        #expect(first.count == 2)
        #expect(first.last == .assign(Self.job(1), to: Self.peer(1), attempt: 2))
        let second = s.tick(now: Self.t0 + .seconds(23))
        guard case .fail(let id, let reason) = second.first else {
            Issue.record("expected a failure, got \(second)")
            return
        }
        #expect(id == Self.job(1))
        #expect(reason.contains("gave up after 2 attempts"))
        #expect(!s.isQueued(Self.job(1)))
    }

    @Test("the same job id submitted twice is placed once")
    func duplicateSubmission() {
        var s = Scheduler()
        _ = s.workerJoined(Self.peer(1), ad: Self.ad([("a.b", "1.0.0")], slots: 4), now: Self.t0)
        #expect(s.jobSubmitted(Self.schedulable(1, "a.b"), now: Self.t0).count == 1)
        #expect(s.jobSubmitted(Self.schedulable(1, "a.b"), now: Self.t0).isEmpty)
    }

    @Test("cost is the price of the fitting offer on the assigned worker, fixed on the lease")
    func cost() {
        var s = Scheduler()
        _ = s.workerJoined(Self.peer(1), ad: Self.ad([("a.b", "1.0.0")], cost: 7), now: Self.t0)
        #expect(s.jobSubmitted(Self.schedulable(1, "a.b"), now: Self.t0)
            == [.assign(Self.job(1), to: Self.peer(1), attempt: 1, cost: 7)])
        #expect(s.lease(of: Self.job(1))?.cost == 7)
        #expect(s.lease(of: Self.job(2)) == nil)
    }

    @Test("a worker registering again replaces its old session and its jobs are requeued")
    func reRegistration() {
        var s = Scheduler()
        _ = s.workerJoined(Self.peer(1), ad: Self.ad([("a.b", "1.0.0")]), now: Self.t0)
        _ = s.jobSubmitted(Self.schedulable(1, "a.b"), now: Self.t0)
        let again = s.workerJoined(Self.peer(1), ad: Self.ad([("a.b", "1.0.0")]), now: Self.t0)
        #expect(again.contains(.assign(Self.job(1), to: Self.peer(1), attempt: 2)))
    }

    @Test("requirements filter workers, rank orders them, and the explanation quotes the requirement")
    func requirementsAndRank() throws {
        var s = Scheduler()
        _ = s.workerJoined(Self.peer(1), ad: Self.ad([("a.b", "1.0.0")], labels: ["zone": "eu"]), now: Self.t0)
        _ = s.workerJoined(Self.peer(2), ad: Self.ad([("a.b", "1.0.0")], slots: 4, labels: ["zone": "us"]), now: Self.t0)
        var us = Self.schedulable(1, "a.b")
        us.requirements = try MatchExpression(parsing: #"labels.zone == "eu""#)
        #expect(s.jobSubmitted(us, now: Self.t0) == [.assign(Self.job(1), to: Self.peer(1), attempt: 1)])

        var nowhere = Self.schedulable(2, "a.b")
        nowhere.requirements = try MatchExpression(parsing: "memory_gb >= 64")
        #expect(s.jobSubmitted(nowhere, now: Self.t0).isEmpty)
        #expect(s.explainWaiting(Self.job(2))?.contains("requirements 'memory_gb >= 64' not met") == true)

        var missing = Self.schedulable(3, "a.b")
        missing.requirements = try MatchExpression(parsing: "labels.gpu == \"a100\"")
        #expect(s.jobSubmitted(missing, now: Self.t0).isEmpty, "an undefined requirement does not match")

        // Without rank the worker with more free slots (peer 2) would win; rank prefers the eu worker.
        var ranked = Self.schedulable(4, "a.b")
        ranked.rank = try MatchExpression(parsing: #"labels.zone == "eu""#)
        _ = s.attemptFinished(Self.job(1), attempt: 1, by: Self.peer(1), now: Self.t0)
        #expect(s.jobSubmitted(ranked, now: Self.t0) == [.assign(Self.job(4), to: Self.peer(1), attempt: 1)])
    }

    @Test("a worker's accept policy can refuse a job, and the explanation says so")
    func acceptPolicy() {
        var s = Scheduler()
        var picky = Self.ad([("a.b", "1.0.0")])
        picky.accept = "job.max_credits >= 50"
        _ = s.workerJoined(Self.peer(1), ad: picky, now: Self.t0)
        #expect(s.jobSubmitted(Self.schedulable(1, "a.b"), now: Self.t0).isEmpty)
        #expect(s.explainWaiting(Self.job(1))?.contains("worker policy 'job.max_credits >= 50' refuses it") == true)
        var rich = Self.schedulable(2, "a.b")
        rich.maxCredits = 60
        #expect(s.jobSubmitted(rich, now: Self.t0) == [.assign(Self.job(2), to: Self.peer(1), attempt: 1)])
    }

    @Test("a queued job can be cancelled; a leased one cannot")
    func cancel() {
        var s = Scheduler()
        _ = s.jobSubmitted(Self.schedulable(1, "a.b"), now: Self.t0)
        let first = s.cancel(Self.job(1))
        #expect(first)
        #expect(!s.isQueued(Self.job(1)))
        let second = s.cancel(Self.job(1))
        #expect(!second)
        _ = s.workerJoined(Self.peer(1), ad: Self.ad([("a.b", "1.0.0")]), now: Self.t0)
        _ = s.jobSubmitted(Self.schedulable(2, "a.b"), now: Self.t0)
        let leased = s.cancel(Self.job(2))
        #expect(!leased)
        // The cancelled job is not placed when a worker appears.
        #expect(s.workerJoined(Self.peer(2), ad: Self.ad([("a.b", "1.0.0")]), now: Self.t0).isEmpty)
    }

    @Test("an assignment that cannot be delivered is requeued without using up an attempt")
    func assignmentFailed() {
        var s = Scheduler()
        _ = s.workerJoined(Self.peer(1), ad: Self.ad([("a.b", "1.0.0")]), now: Self.t0)
        _ = s.jobSubmitted(Self.schedulable(1, "a.b"), now: Self.t0)
        #expect(s.assignmentFailed(Self.job(1), reason: "gone", now: Self.t0) == [.requeue(Self.job(1), reason: "gone")])
        #expect(s.isQueued(Self.job(1)))
        #expect(!s.holdsLease(Self.job(1), attempt: 1, worker: Self.peer(1)))
        #expect(s.tick(now: Self.t0) == [.assign(Self.job(1), to: Self.peer(1), attempt: 1)])
        #expect(s.holdsLease(Self.job(1), attempt: 1, worker: Self.peer(1)))
    }

    @Test("among equally ranked workers the cheaper one wins, before free slots")
    func cheaperFirst() {
        var s = Scheduler()
        _ = s.workerJoined(Self.peer(1), ad: Self.ad([("a.b", "1.0.0")], slots: 8, cost: 9), now: Self.t0)
        _ = s.workerJoined(Self.peer(2), ad: Self.ad([("a.b", "1.0.0")], slots: 1, cost: 2), now: Self.t0)
        #expect(s.jobSubmitted(Self.schedulable(1, "a.b"), now: Self.t0) == [.assign(Self.job(1), to: Self.peer(2), attempt: 1)])
    }

    @Test("a job reloaded with its attempts used up fails instead of running again")
    func reloadedOutOfAttempts() {
        var s = Scheduler()
        var job = Self.schedulable(1, "a.b")
        job.attempts = 3
        #expect(s.jobSubmitted(job, now: Self.t0) == [.fail(Self.job(1), reason: "it used all 3 attempts")])
        #expect(s.workerJoined(Self.peer(1), ad: Self.ad([("a.b", "1.0.0")]), now: Self.t0).isEmpty)
    }

    @Test("a retryable failure moves the job to a worker it has not failed on, and ends after maxAttempts")
    func retryElsewhere() {
        var s = Scheduler()
        _ = s.workerJoined(Self.peer(1), ad: Self.ad([("a.b", "1.0.0")], slots: 4), now: Self.t0)
        _ = s.workerJoined(Self.peer(2), ad: Self.ad([("a.b", "1.0.0")], slots: 1), now: Self.t0)
        #expect(s.jobSubmitted(Self.schedulable(1, "a.b"), now: Self.t0) == [.assign(Self.job(1), to: Self.peer(1), attempt: 1)])
        #expect(s.attemptFailed(Self.job(1), attempt: 2, by: Self.peer(1), reason: "x", now: Self.t0) == nil)
        let second = s.attemptFailed(Self.job(1), attempt: 1, by: Self.peer(1), reason: "timed out", now: Self.t0)
        #expect(second?.last == .assign(Self.job(1), to: Self.peer(2), attempt: 2))
        // With every worker tried, it goes back to one it failed on rather than waiting forever.
        let third = s.attemptFailed(Self.job(1), attempt: 2, by: Self.peer(2), reason: "timed out", now: Self.t0)
        #expect(third?.last == .assign(Self.job(1), to: Self.peer(1), attempt: 3))
        let last = s.attemptFailed(Self.job(1), attempt: 3, by: Self.peer(1), reason: "timed out", now: Self.t0)
        guard case .fail(_, let reason)? = last?.first else {
            Issue.record("expected a failure, got \(String(describing: last))")
            return
        }
        #expect(reason.contains("gave up after 3 attempts"))
    }
}

extension Scheduler.Directive {
    /// An assignment at the price `SchedulerTests.ad` gives by default (2 credits).
    static func assign(_ id: JobID, to worker: PeerID, attempt: Int) -> Self {
        .assign(id, to: worker, attempt: attempt, cost: 2)
    }
}
