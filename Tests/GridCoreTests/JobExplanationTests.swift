import Foundation
import Testing

@testable import GridCore

/// `grid explain` for a job that ran: every attempt, word for word, and the explanation on the wire.
@Suite("Job explanations")
struct JobExplanationTests {
    static func peer(_ n: UInt8) -> PeerID { PeerID(publicKey: [UInt8](repeating: n, count: 32)) }

    /// 2026-11-30 10:00:00.000 UTC.
    static let t0: Int64 = 1_796_032_800_000

    static let failedAttempts = [
        JobExplanation.Attempt(attempt: 1, worker: peer(1), startedAt: t0, endedAt: t0 + 1_250, outcome: .crashed,
                               reason: "The plugin faults-c crashed with SIGSEGV while running faults.segv."),
        JobExplanation.Attempt(attempt: 2, worker: peer(2), startedAt: t0 + 1_300, endedAt: t0 + 16_300,
                               outcome: .timedOut, reason: "worker 02020202 did not answer before the lease ran out"),
        JobExplanation.Attempt(attempt: 3, worker: peer(3), startedAt: t0 + 16_310, endedAt: t0 + 17_000,
                               outcome: .lost, reason: "worker 03030303 disconnected while running it"),
    ]

    @Test("a failed job lists every attempt with its worker, start, end, outcome and reason")
    func failedJob() {
        let explanation = JobExplanation(
            job: JobID("job-7")!, status: .failed, capability: "faults.segv", version: "*",
            message: "worker 03030303 disconnected while running it; gave up after 3 attempts",
            attempts: Self.failedAttempts)
        #expect(explanation.text == """
            Job job-7 failed: worker 03030303 disconnected while running it; gave up after 3 attempts.
            It asks for faults.segv at version *.

            Attempts:
            ATTEMPT  WORKER    STARTED                  ENDED                    OUTCOME    OUTPUT SHA-256  REASON
            1        01010101  2026-11-30 10:00:00.000  2026-11-30 10:00:01.250  crashed    -               The plugin \
            faults-c crashed with SIGSEGV while running faults.segv.
            2        02020202  2026-11-30 10:00:01.300  2026-11-30 10:00:16.300  timed out  -               worker \
            02020202 did not answer before the lease ran out
            3        03030303  2026-11-30 10:00:16.310  2026-11-30 10:00:17.000  lost       -               worker \
            03030303 disconnected while running it
            """)
    }

    @Test("a job run on several workers for a quorum shows each run's worker and output digest")
    func digestsAndRunning() {
        let same = String(repeating: "ab", count: 32)
        let other = String(repeating: "cd", count: 32)
        let explanation = JobExplanation(
            job: JobID("job-8")!, status: .running, capability: "hash.sha256", version: "^1",
            attempts: [
                .init(run: 1, attempt: 1, worker: Self.peer(1), startedAt: Self.t0, endedAt: Self.t0 + 40,
                      outcome: .succeeded, outputDigest: same),
                .init(run: 2, attempt: 1, worker: Self.peer(2), startedAt: Self.t0 + 1, endedAt: Self.t0 + 45,
                      outcome: .succeeded, outputDigest: other),
                .init(run: 3, attempt: 1, worker: Self.peer(3), startedAt: Self.t0 + 2),
            ])
        #expect(explanation.text == """
            Job job-8 is running: 1 run on 03030303.
            It asks for hash.sha256 at version ^1.

            Attempts:
            RUN  ATTEMPT  WORKER    STARTED                  ENDED                    OUTCOME    OUTPUT SHA-256
            1    1        01010101  2026-11-30 10:00:00.000  2026-11-30 10:00:00.040  succeeded  abababababababab
            2    1        02020202  2026-11-30 10:00:00.001  2026-11-30 10:00:00.045  succeeded  cdcdcdcdcdcdcdcd
            3    1        03030303  2026-11-30 10:00:00.002  -                        running    -
            """)
        let single = JobExplanation(job: JobID("job-9")!, status: .running, capability: "a.b", version: "*",
                                    attempts: [.init(attempt: 2, worker: Self.peer(4), startedAt: Self.t0)])
        #expect(single.text.hasPrefix("Job job-9 is running: attempt 2 on worker 04040404.\n"))
    }

    @Test("a succeeded and a cancelled job; no attempts yet")
    func headlines() {
        let done = JobExplanation(job: JobID("j")!, status: .succeeded, capability: "a.b", version: "*")
        #expect(done.text == "Job j succeeded.\nIt asks for a.b at version *.\n\nNo attempts yet.")
        let cancelled = JobExplanation(job: JobID("j")!, status: .cancelled, capability: "a.b", version: "*")
        #expect(cancelled.text.hasPrefix("Job j was cancelled.\n"))
    }

    @Test("times are UTC with milliseconds, before and after the epoch")
    func times() {
        #expect(JobExplanation.time(0) == "1970-01-01 00:00:00.000")
        #expect(JobExplanation.time(951_782_400_007) == "2000-02-29 00:00:00.007")
        #expect(JobExplanation.time(-1) == "1969-12-31 23:59:59.999")
        #expect(JobExplanation.time(Self.t0) == "2026-11-30 10:00:00.000")
    }

    @Test("explain and its answer round-trip through the codec")
    func wire() throws {
        let explanation = JobExplanation(
            job: JobID("job-7")!, status: .queued, capability: "hash.sha3", version: "*", message: "why",
            waiting: .init(connected: 2, clauses: [
                .init(name: "capability", condition: "capability hash.sha3 offered",
                      ruledOut: [.init(worker: "01010101", reason: "capability 'hash.sha3' not offered")], left: 1,
                      suggestion: nil),
            ], fairShare: .init(jobsAhead: 3, clustersAhead: 1, usage: 2.5), summary: "why"),
            attempts: Self.failedAttempts)
        #expect(try MessageCodec.decode(MessageCodec.encode(.explain(JobID("job-7")!))) == .explain(JobID("job-7")!))
        #expect(try MessageCodec.decode(MessageCodec.encode(.explanation(explanation))) == .explanation(explanation))
        let json = String(decoding: MessageCodec.encode(.explanation(explanation)), as: UTF8.self)
        #expect(json.contains(#""outcome":"timed out""#), "\(json)")
        #expect(json.contains(#""jobsAhead":3"#), "\(json)")
    }
}
