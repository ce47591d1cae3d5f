import GridCore
import Testing

@testable import GridMatchmaker

/// Placement at scale, measured in work rather than time: the verdicts an event evaluates stay the same however
/// many jobs wait, and fair share lets a light submitter past a heavy one. (Speed is in the benchmarks.)
@Suite("Scheduler at scale")
struct SchedulerScaleTests {
    typealias S = SchedulerTests

    static func peer(_ n: Int) -> PeerID {
        var key = [UInt8](repeating: 0, count: 32)
        withUnsafeBytes(of: UInt32(n).bigEndian) { key.replaceSubrange(28..<32, with: $0) }
        key[0] = 1
        return PeerID(publicKey: key)
    }

    static func submitter(_ n: UInt8) -> PeerID { PeerID(publicKey: [UInt8](repeating: n, count: 32)) }

    static func job(_ n: Int, _ capability: String, by submitter: PeerID = submitter(99)) -> SchedulableJob {
        SchedulableJob(id: JobID("job-\(n)")!, submitter: submitter, capability: capability,
                       versionRange: try! VersionRange(parsing: "*"), labels: [:], timeoutSeconds: 60, maxCredits: 10)
    }

    /// 10,000 single-slot workers; worker i offers cap.(i % 100) and cap.((i * 7 + 3) % 100).
    static func busyGrid() -> Scheduler {
        var s = Scheduler()
        for i in 0..<10_000 {
            let capabilities = Set(["cap.\(i % 100)", "cap.\((i * 7 + 3) % 100)"]).map { ($0, "1.0.0") }
            _ = s.workerJoined(peer(i), ad: S.ad(capabilities), now: S.t0)
        }
        return s
    }

    @Test("with 10,000 workers and 100,000 jobs queued behind, an event looks only at what it can change")
    func placementIgnoresQueueDepth() throws {
        var s = Self.busyGrid()
        var next = 0
        // Fill every slot: 10,000 jobs spread over the 100 capabilities.
        var placed = 0
        for n in 0..<10_000 {
            placed += s.jobSubmitted(Self.job(next, "cap.\(n % 100)"), now: S.t0).count
            next += 1
        }
        #expect(placed == 10_000)
        // 100,000 jobs nobody can run, and 100,000 for a capability whose workers are all busy.
        var placedBehind = 0
        for _ in 0..<100_000 {
            placedBehind += s.jobSubmitted(Self.job(next, "nobody.offers"), now: S.t0).count
            next += 1
        }
        let firstWaiting = next
        for _ in 0..<100_000 {
            placedBehind += s.jobSubmitted(Self.job(next, "cap.3"), now: S.t0).count
            next += 1
        }
        #expect(placedBehind == 0)
        #expect(s.queuedCount == 200_000)

        // Joining a non-empty cluster evaluates nothing.
        let before = s.verdictsEvaluated
        _ = s.jobSubmitted(Self.job(next, "cap.3"), now: S.t0)
        #expect(s.verdictsEvaluated == before)

        // A worker offering cap.3 finishes its job: the oldest cap.3 job goes there, after a handful of verdicts.
        let worker = Self.peer(3)
        let running = try #require(s.workers[worker]?.running.first)
        let lease = try #require(s.lease(of: running))
        let evaluated = s.verdictsEvaluated
        let directives = s.attemptFinished(running, attempt: lease.attempt, by: worker, now: S.t0)
        #expect(directives == [.assign(JobID("job-\(firstWaiting)")!, to: worker, attempt: 1)])
        #expect(s.verdictsEvaluated - evaluated <= 2)

        // Draining cap.3 through that one worker keeps first-in first-out order at the same small cost.
        var current = JobID("job-\(firstWaiting)")!
        var outOfOrder = 0
        var mostVerdicts = 0
        for offset in 1...1_000 {
            let mark = s.verdictsEvaluated
            let next = s.attemptFinished(current, attempt: 1, by: worker, now: S.t0)
            let expected = JobID("job-\(firstWaiting + offset)")!
            if next != [.assign(expected, to: worker, attempt: 1)] { outOfOrder += 1 }
            mostVerdicts = max(mostVerdicts, s.verdictsEvaluated - mark)
            current = expected
        }
        #expect(outOfOrder == 0)
        #expect(mostVerdicts <= 2)
        // The jobs nobody can run were never looked at.
        #expect(s.queuedCount == 200_000 - 1_001 + 1)
    }

    @Test("one submitter queues 10,000 jobs; another's single job is placed within the next two placements")
    func fairShareLetsALightSubmitterThrough() throws {
        var s = Scheduler()
        let heavy = Self.submitter(1)
        let light = Self.submitter(2)
        _ = s.workerJoined(S.peer(1), ad: S.ad([("a.b", "1.0.0")], slots: 2), now: S.t0)
        for n in 0..<10_000 {
            _ = s.jobSubmitted(Self.job(n, "a.b", by: heavy), now: S.t0)
        }
        _ = s.jobSubmitted(Self.job(99_999, "a.b", by: light), now: S.t0)
        var running = [JobID("job-0")!, JobID("job-1")!]
        var order: [JobID] = []
        for _ in 0..<4 {
            let done = running.removeFirst()
            let directives = s.attemptFinished(done, attempt: 1, by: S.peer(1), now: S.t0) ?? []
            for case .assign(let id, _, _, _) in directives {
                order.append(id)
                running.append(id)
            }
        }
        let position = try #require(order.firstIndex(of: JobID("job-99999")!))
        #expect(position < 2, "placements after the light job arrived: \(order)")
        // The heavy submitter's jobs keep their own order around it.
        #expect(order.filter { $0 != JobID("job-99999")! }
            == [JobID("job-2")!, JobID("job-3")!, JobID("job-4")!])
    }

    @Test("usage decays with the half-life: a submitter idle for many half-lives ranks like a new one")
    func usageDecays() {
        var share = FairShare(halfLife: .seconds(10))
        for _ in 0..<1_000 { share.charge(Self.submitter(1), now: S.t0) }
        share.charge(Self.submitter(2), now: S.t0 + .seconds(200))
        #expect(share.usage(of: Self.submitter(1), now: S.t0 + .seconds(200)) < 0.001)
        #expect(share.usage(of: Self.submitter(2), now: S.t0 + .seconds(200)) == 1)
        #expect(share.priority(of: Self.submitter(1)) < share.priority(of: Self.submitter(2)))
    }
}

/// Deadlines of jobs that moved on do not pile up.
@Suite("Scheduler deadlines")
struct SchedulerDeadlineTests {
    typealias S = SchedulerTests

    @Test("finished jobs leave no queue or lease deadline behind for long, however long the timeouts")
    func staleDeadlinesAreCompacted() {
        var s = Scheduler()
        _ = s.workerJoined(S.peer(1), ad: S.ad([("a.b", "1.0.0")], slots: 1), now: S.t0)
        for n in 0..<10_000 {
            let directives = s.jobSubmitted(S.schedulable(n, "a.b"), now: S.t0)
            guard case .assign(let id, _, let attempt, _)? = directives.first else { continue }
            _ = s.attemptFinished(id, attempt: attempt, by: S.peer(1), now: S.t0)
            if n % 100 == 0 { _ = s.tick(now: S.t0) }
        }
        _ = s.tick(now: S.t0)
        #expect(s.queueDeadlines.count <= 2 * s.queuedCount + 1024)
        #expect(s.leaseDeadlines.count <= 2 * s.leases.count + 1024)
    }
}
