import Foundation
import GridCore
import Testing

@testable import GridMatchmaker

/// `grid explain` for a waiting job: the scheduler's analysis on small fixtures, checked word for word.
@Suite("Explain a waiting job")
struct ExplainTests {
    static let t0 = ContinuousClock.now

    static func peer(_ n: UInt8) -> PeerID { PeerID(publicKey: [UInt8](repeating: n, count: 32)) }
    static func job(_ n: Int) -> JobID { JobID("job-\(n)")! }

    static func ad(_ capabilities: [(String, String)], slots: Int = 1, labels: [String: String] = [:],
                   memory: Double = 4, accept: String? = nil) -> WorkerAd {
        WorkerAd(capabilities: capabilities.map {
            CapabilityOffer(name: $0.0, version: SemanticVersion($0.1)!, description: "", cost: 2, plugin: "p")
        }, attributes: WorkerAttributes(cores: 2, memoryGB: memory, os: "linux", arch: "x86_64", labels: labels),
        slots: slots, accept: accept)
    }

    static func schedulable(_ n: Int, _ capability: String, range: String = "*", labels: [String: String] = [:],
                            submitter: UInt8 = 99, maxCredits: Int = 10) -> SchedulableJob {
        SchedulableJob(id: job(n), submitter: peer(submitter), capability: capability,
                       versionRange: try! VersionRange(parsing: range), labels: labels, timeoutSeconds: 10,
                       maxCredits: maxCredits)
    }

    /// The text `grid explain` prints for queued job `n` (no attempts).
    static func text(_ s: Scheduler, _ n: Int) -> String {
        explanation(s, n).text
    }

    /// The explanation of queued job `n`, as the service builds it (without attempts).
    static func explanation(_ s: Scheduler, _ n: Int) -> JobExplanation {
        let job = s.jobs[job(n)]
        return JobExplanation(job: Self.job(n), status: .queued, capability: job?.capability ?? "?",
                              version: job?.versionRange.description ?? "?",
                              waiting: s.explainQueued(Self.job(n), now: t0))
    }

    /// The table of clauses for a fixture where `ruling` rules out `count` of `connected` workers and nothing else.
    static func steps(_ rows: [(String, Int, Int)]) -> String {
        let width = max(6, rows.map(\.0.count).max() ?? 0)
        let head = "STEP  " + "CLAUSE".padding(toLength: width, withPad: " ", startingAt: 0) + "  RULES OUT  LEFT"
        return ([head] + rows.enumerated().map { index, row in
            "\(index + 1)     " + row.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                + "\(row.1)".padding(toLength: 9, withPad: " ", startingAt: 0) + "  \(row.2)"
        }).joined(separator: "\n")
    }

    @Test("no worker connected: the job waits for one offering its capability")
    func noWorker() {
        var s = Scheduler()
        _ = s.jobSubmitted(Self.schedulable(1, "hash.sha3"), now: Self.t0)
        #expect(Self.text(s, 1) == """
            Job job-1 is queued: no connected worker offers capability 'hash.sha3'; capabilities on offer: none (no \
            worker is connected).
            It asks for hash.sha3 at version *.

            0 workers are connected.

            No attempts yet.
            """)
        #expect(Self.explanation(s, 1).waiting?.connected == 0)
    }

    @Test("capability not offered: every worker ruled out, and the closest names on offer suggested")
    func capabilityNotOffered() throws {
        var s = Scheduler()
        _ = s.workerJoined(Self.peer(1), ad: Self.ad([("hash.sha256", "1.0.0")]), now: Self.t0)
        _ = s.workerJoined(Self.peer(2), ad: Self.ad([("hash.sha256", "1.1.0"), ("hash.blake2b", "1.0.0")]),
                           now: Self.t0)
        _ = s.workerJoined(Self.peer(3), ad: Self.ad([("primes.count", "1.0.0")]), now: Self.t0)
        _ = s.jobSubmitted(Self.schedulable(1, "hash.sha3"), now: Self.t0)
        #expect(Self.text(s, 1) == """
            Job job-1 is queued: no connected worker offers capability 'hash.sha3'; capabilities on offer: \
            hash.blake2b, hash.sha256, primes.count.
            It asks for hash.sha3 at version *.

            3 workers are connected.
            \(Self.steps([("capability hash.sha3 offered", 3, 0), ("version *", 0, 0), ("labels (none asked)", 0, 0),
                          ("requirements (none)", 0, 0), ("worker accept policies", 0, 0), ("maxCredits 10", 0, 0),
                          ("a free slot", 0, 0)]))
            Fair share: 0 queued jobs ahead of it for the same workers, in 0 clusters; its submitter's recent usage \
            is 0.0 placements.

            Ruled out:
              01010101  capability: capability 'hash.sha3' not offered
              02020202  capability: capability 'hash.sha3' not offered
              03030303  capability: capability 'hash.sha3' not offered

            What would let it run:
              capability: no worker offers hash.sha3; 2 offer hash.sha256, 1 offers hash.blake2b

            No attempts yet.
            """)
        let waiting = try #require(Self.explanation(s, 1).waiting)
        #expect(waiting.clauses.map(\.name) == ["capability", "version", "labels", "requirements", "accept", "price",
                                                "slots"])
        #expect(waiting.clauses.map(\.ruledOut.count) == [3, 0, 0, 0, 0, 0, 0])
        #expect(waiting.clauses.map(\.left) == [0, 0, 0, 0, 0, 0, 0])
        #expect(waiting.fitting == 0)
    }

    @Test("version out of range: the offering workers ruled out, and the versions on offer listed")
    func versionOutOfRange() {
        var s = Scheduler()
        _ = s.workerJoined(Self.peer(1), ad: Self.ad([("hash.sha256", "1.0.0")]), now: Self.t0)
        _ = s.workerJoined(Self.peer(2), ad: Self.ad([("hash.sha256", "1.1.0")]), now: Self.t0)
        _ = s.workerJoined(Self.peer(3), ad: Self.ad([("primes.count", "1.0.0")]), now: Self.t0)
        _ = s.jobSubmitted(Self.schedulable(1, "hash.sha256", range: "^2"), now: Self.t0)
        #expect(Self.text(s, 1) == """
            Job job-1 is queued: no worker fits: 'hash.sha256' is offered at 1.0.0, outside the wanted range ^2; \
            'hash.sha256' is offered at 1.1.0, outside the wanted range ^2; capability 'hash.sha256' not offered.
            It asks for hash.sha256 at version ^2.

            3 workers are connected.
            \(Self.steps([("capability hash.sha256 offered", 1, 2), ("version ^2", 2, 0), ("labels (none asked)", 0, 0),
                          ("requirements (none)", 0, 0), ("worker accept policies", 0, 0), ("maxCredits 10", 0, 0),
                          ("a free slot", 0, 0)]))
            Fair share: 0 queued jobs ahead of it for the same workers, in 0 clusters; its submitter's recent usage \
            is 0.0 placements.

            Ruled out:
              03030303  capability: capability 'hash.sha256' not offered
              01010101  version: 'hash.sha256' is offered at 1.0.0, outside the wanted range ^2
              02020202  version: 'hash.sha256' is offered at 1.1.0, outside the wanted range ^2

            What would let it run:
              version: versions on offer: 1.0.0 (1 worker), 1.1.0 (1 worker)

            No attempts yet.
            """)
    }

    @Test("label mismatch: the label values the workers have are listed")
    func labelMismatch() {
        var s = Scheduler()
        _ = s.workerJoined(Self.peer(1), ad: Self.ad([("a.b", "1.0.0")], labels: ["zone": "us"]), now: Self.t0)
        _ = s.workerJoined(Self.peer(2), ad: Self.ad([("a.b", "1.0.0")], labels: ["zone": "us"]), now: Self.t0)
        _ = s.workerJoined(Self.peer(3), ad: Self.ad([("a.b", "1.0.0")]), now: Self.t0)
        _ = s.jobSubmitted(Self.schedulable(1, "a.b", labels: ["zone": "eu"]), now: Self.t0)
        #expect(Self.text(s, 1) == """
            Job job-1 is queued: no worker fits: label zone=eu is required.
            It asks for a.b at version *.

            3 workers are connected.
            \(Self.steps([("capability a.b offered", 0, 3), ("version *", 0, 3), ("labels zone=eu", 3, 0),
                          ("requirements (none)", 0, 0), ("worker accept policies", 0, 0), ("maxCredits 10", 0, 0),
                          ("a free slot", 0, 0)]))
            Fair share: 0 queued jobs ahead of it for the same workers, in 0 clusters; its submitter's recent usage \
            is 0.0 placements.

            Ruled out:
              01010101  labels: label zone=eu is required
              02020202  labels: label zone=eu is required
              03030303  labels: label zone=eu is required

            What would let it run:
              labels: workers have zone unset (1), zone=us (2)

            No attempts yet.
            """)
    }

    @Test("requirements false: each worker named with what the expression gave")
    func requirementsFalse() throws {
        var s = Scheduler()
        _ = s.workerJoined(Self.peer(1), ad: Self.ad([("a.b", "1.0.0")]), now: Self.t0)
        _ = s.workerJoined(Self.peer(2), ad: Self.ad([("a.b", "1.0.0")], memory: 128), now: Self.t0)
        _ = s.workerJoined(Self.peer(3), ad: Self.ad([("a.b", "1.0.0")]), now: Self.t0)
        var job = Self.schedulable(2, "a.b")
        job.requirements = try MatchExpression(parsing: "memory_gb >= 64")
        var first = Self.schedulable(1, "a.b")
        first.requirements = job.requirements
        _ = s.jobSubmitted(first, now: Self.t0)  // keeps the 128 GB worker busy
        _ = s.jobSubmitted(job, now: Self.t0)
        #expect(Self.text(s, 2) == """
            Job job-2 is queued: no worker fits: all slots busy; requirements 'memory_gb >= 64' not met: the \
            expression is false.
            It asks for a.b at version *.

            3 workers are connected.
            \(Self.steps([("capability a.b offered", 0, 3), ("version *", 0, 3), ("labels (none asked)", 0, 3),
                          ("requirements memory_gb >= 64", 2, 1), ("worker accept policies", 0, 1),
                          ("maxCredits 10", 0, 1), ("a free slot", 1, 0)]))
            Fair share: 0 queued jobs ahead of it for the same workers, in 0 clusters; its submitter's recent usage \
            is 1.0 placements.

            Ruled out:
              01010101  requirements: requirements 'memory_gb >= 64' not met: the expression is false
              03030303  requirements: requirements 'memory_gb >= 64' not met: the expression is false
              02020202  slots: all slots busy

            What would let it run:
              slots: it runs when worker 02020202 frees a slot, after the queued jobs ahead of it

            No attempts yet.
            """)
    }

    @Test("accept policies refuse: the workers and their policies' answers are named, with no change to suggest")
    func acceptPolicyRefuses() {
        var s = Scheduler()
        _ = s.workerJoined(Self.peer(1), ad: Self.ad([("a.b", "1.0.0")], accept: #"job.labels.team == "ml""#),
                           now: Self.t0)
        _ = s.workerJoined(Self.peer(2), ad: Self.ad([("a.b", "1.0.0")], accept: #"submitter == "nobody""#),
                           now: Self.t0)
        _ = s.jobSubmitted(Self.schedulable(1, "a.b"), now: Self.t0)
        #expect(Self.text(s, 1) == """
            Job job-1 is queued: no worker fits: worker policy 'job.labels.team == "ml"' refuses it: the expression \
            is undefined (it reads an attribute that is missing); worker policy 'submitter == "nobody"' refuses it: \
            the expression is false.
            It asks for a.b at version *.

            2 workers are connected.
            \(Self.steps([("capability a.b offered", 0, 2), ("version *", 0, 2), ("labels (none asked)", 0, 2),
                          ("requirements (none)", 0, 2), ("worker accept policies", 2, 0), ("maxCredits 10", 0, 0),
                          ("a free slot", 0, 0)]))
            Fair share: 0 queued jobs ahead of it for the same workers, in 0 clusters; its submitter's recent usage \
            is 0.0 placements.

            Ruled out:
              01010101  accept: worker policy 'job.labels.team == "ml"' refuses it: the expression is undefined (it \
            reads an attribute that is missing)
              02020202  accept: worker policy 'submitter == "nobody"' refuses it: the expression is false

            No attempts yet.
            """)
    }

    @Test("maxCredits too low: policies that take the job for more credits are the price clause; the least suggested")
    func maxCreditsTooLow() {
        var s = Scheduler()
        _ = s.workerJoined(Self.peer(1), ad: Self.ad([("a.b", "1.0.0")], accept: "job.max_credits >= 50"),
                           now: Self.t0)
        _ = s.workerJoined(Self.peer(2), ad: Self.ad([("a.b", "1.0.0")],
                                                     accept: "job.max_credits >= 25 && job.timeout_seconds <= 60"),
                           now: Self.t0)
        _ = s.jobSubmitted(Self.schedulable(1, "a.b"), now: Self.t0)
        #expect(Self.text(s, 1) == """
            Job job-1 is queued: no worker fits: worker policy 'job.max_credits >= 25 && job.timeout_seconds <= 60' \
            refuses it: the expression is false; it takes the job from maxCredits 25; worker policy \
            'job.max_credits >= 50' refuses it: the expression is false; it takes the job from maxCredits 50.
            It asks for a.b at version *.

            2 workers are connected.
            \(Self.steps([("capability a.b offered", 0, 2), ("version *", 0, 2), ("labels (none asked)", 0, 2),
                          ("requirements (none)", 0, 2), ("worker accept policies", 0, 2), ("maxCredits 10", 2, 0),
                          ("a free slot", 0, 0)]))
            Fair share: 0 queued jobs ahead of it for the same workers, in 0 clusters; its submitter's recent usage \
            is 0.0 placements.

            Ruled out:
              01010101  price: worker policy 'job.max_credits >= 50' refuses it: the expression is false; it takes \
            the job from maxCredits 50
              02020202  price: worker policy 'job.max_credits >= 25 && job.timeout_seconds <= 60' refuses it: the \
            expression is false; it takes the job from maxCredits 25

            What would let it run:
              price: raise maxCredits to 25

            No attempts yet.
            """)
        // The suggestion is right: at 25 credits the job runs on the second worker.
        var richer = Self.schedulable(2, "a.b")
        richer.maxCredits = 25
        #expect(s.jobSubmitted(richer, now: Self.t0) == [.assign(Self.job(2), to: Self.peer(2), attempt: 1)])
    }

    @Test("all slots busy: the busy workers named; behind others in fair share: the jobs ahead counted")
    func slotsBusyAndFairShare() throws {
        var s = Scheduler()
        _ = s.workerJoined(Self.peer(1), ad: Self.ad([("a.b", "1.0.0")]), now: Self.t0)
        _ = s.jobSubmitted(Self.schedulable(1, "a.b"), now: Self.t0)  // runs
        _ = s.jobSubmitted(Self.schedulable(2, "a.b"), now: Self.t0)  // same submitter, older
        _ = s.jobSubmitted(Self.schedulable(3, "a.b"), now: Self.t0)
        // Another submitter who has used nothing yet goes first, though it came last.
        _ = s.jobSubmitted(Self.schedulable(4, "a.b", submitter: 98), now: Self.t0)
        _ = s.jobSubmitted(Self.schedulable(5, "x.y"), now: Self.t0)  // another capability: not a rival
        #expect(Self.text(s, 3) == """
            Job job-3 is queued: no worker fits: all slots busy.
            It asks for a.b at version *.

            1 worker is connected.
            \(Self.steps([("capability a.b offered", 0, 1), ("version *", 0, 1), ("labels (none asked)", 0, 1),
                          ("requirements (none)", 0, 1), ("worker accept policies", 0, 1), ("maxCredits 10", 0, 1),
                          ("a free slot", 1, 0)]))
            Fair share: 2 queued jobs ahead of it for the same workers, in 2 clusters; its submitter's recent usage \
            is 1.0 placements.

            Ruled out:
              01010101  slots: all slots busy

            What would let it run:
              slots: it runs when worker 01010101 frees a slot, after the queued jobs ahead of it

            No attempts yet.
            """)
        let waiting = try #require(Self.explanation(s, 3).waiting)
        #expect(waiting.fairShare.jobsAhead == 2)
        #expect(waiting.fairShare.clustersAhead == 2)
        #expect(try #require(Self.explanation(s, 4).waiting).fairShare.jobsAhead == 0)
        #expect(try #require(Self.explanation(s, 2).waiting).fairShare.jobsAhead == 1)
        // `grid status` and the queue timeout use the same analysis, in one sentence.
        #expect(s.explainWaiting(Self.job(3)) == "no worker fits: all slots busy")
    }

    @Test("a job that is not queued has no waiting analysis")
    func notQueued() {
        var s = Scheduler()
        _ = s.workerJoined(Self.peer(1), ad: Self.ad([("a.b", "1.0.0")]), now: Self.t0)
        _ = s.jobSubmitted(Self.schedulable(1, "a.b"), now: Self.t0)
        #expect(s.explainQueued(Self.job(1), now: Self.t0) == nil)
        #expect(s.explainQueued(Self.job(9), now: Self.t0) == nil)
    }

    @Test("the closest capability names: same family or a few edits away, nearest first")
    func closestNames() {
        let ads = [Self.ad([("hash.sha256", "1.0.0"), ("text.upper", "1.0.0")]), Self.ad([("hash.sha256", "1.0.0")])]
        #expect(ExplainSuggestions.capability("hash.sha3", among: ads)
                == "no worker offers hash.sha3; 2 offer hash.sha256")
        #expect(ExplainSuggestions.capability("text.uper", among: ads)
                == "no worker offers text.uper; 1 offers text.upper")
        #expect(ExplainSuggestions.capability("image.resize", among: ads)
                == "no worker offers image.resize; capabilities on offer: hash.sha256, text.upper")
        #expect(ExplainSuggestions.editDistance("kitten", "sitting") == 3)
        #expect(ExplainSuggestions.editDistance("", "abc") == 3)
    }

    @Test("the leases a worker holds and those a tick will find run out, which the service records as ended")
    func leaseQueries() {
        var s = Scheduler()
        _ = s.workerJoined(Self.peer(1), ad: Self.ad([("a.b", "1.0.0")], slots: 2), now: Self.t0)
        _ = s.jobSubmitted(Self.schedulable(1, "a.b"), now: Self.t0)
        _ = s.jobSubmitted(Self.schedulable(2, "x.y"), now: Self.t0)
        #expect(s.leases(heldBy: Self.peer(1)).map(\.job) == [Self.job(1)])
        #expect(s.leases(heldBy: Self.peer(2)).isEmpty)
        // The lease runs for the job's timeout (10 s) plus the grace (5 s).
        #expect(s.leasesExpiring(by: Self.t0 + .seconds(14)).isEmpty)
        let expiring = s.leasesExpiring(by: Self.t0 + .seconds(15))
        #expect(expiring.map(\.job) == [Self.job(1)])
        #expect(expiring.map(\.lease.attempt) == [1])
        // The tick then requeues exactly those.
        let directives = s.tick(now: Self.t0 + .seconds(15))
        #expect(directives.first == .requeue(Self.job(1), reason: "worker 01010101 did not answer before the lease "
            + "ran out"))
        #expect(s.leasesExpiring(by: Self.t0 + .seconds(15)).isEmpty)
    }

    @Test("a redundant job's queued run is explained: the deterministic and runs clauses name the workers")
    func redundantRunWaits() throws {
        var s = Scheduler()
        _ = s.workerJoined(Self.peer(1), ad: Self.ad([("a.b", "1.0.0")], slots: 2), now: Self.t0)
        var random = Self.ad([("a.b", "1.0.0")])
        random.capabilities[0].deterministic = false
        _ = s.workerJoined(Self.peer(2), ad: random, now: Self.t0)
        let parent = JobID("job-9")!
        for run in 1...2 {
            var job = Self.schedulable(9, "a.b")
            job.id = JobID(run: run, of: parent)
            _ = s.jobSubmitted(job, now: Self.t0)
        }
        let waiting = try #require(s.explainQueued(parent, now: Self.t0))
        #expect(waiting.clauses.map(\.name) == ["capability", "version", "deterministic", "labels", "requirements",
                                                "accept", "price", "runs", "slots"])
        let runs = try #require(waiting.clauses.first { $0.name == "runs" })
        #expect(runs.ruledOut == [.init(worker: "01010101", reason: "the worker already ran another run of this job")])
        #expect(runs.suggestion == "it needs a worker that ran no other run of this job")
        let deterministic = try #require(waiting.clauses.first { $0.name == "deterministic" })
        #expect(deterministic.ruledOut == [.init(worker: "02020202", reason: "'a.b' is not deterministic here, so it "
            + "cannot run a job for a quorum")])
        #expect(waiting.summary == "no worker fits: 'a.b' is not deterministic here, so it cannot run a job for a "
            + "quorum; the worker already ran another run of this job")
        #expect(s.explainWaiting(parent) == waiting.summary)
    }
}
