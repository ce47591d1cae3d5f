import Foundation
import GridClient
import GridCore
import GridCrypto
import GridTestKit
import GRDB
import Logging
import Synchronization
import Testing

/// Jobs placed before their escrow commits (docs/scheduling.md), against a real matchmaker and worker: placed only when
/// nothing can refuse them, and a run of a job the store did not take is never settled, paid or recorded.
@Suite("Placement before the escrow commits", .serialized)
struct EarlyPlacementTests {
    static let text = "libGridPluginText.so"
    static let placedEarly = "job placed before its escrow committed"
    static let voided = "an early-placed job was not stored"

    static func uppercase(_ text: String, maxCredits: Int = 2) -> JobRequest {
        JobRequest(capability: "text.uppercase", input: Data(text.utf8), maxCredits: maxCredits)
    }

    /// Submits `submission` and waits for its result (or returns the refusal).
    static func run(_ submission: Submission, on connection: GridConnection) async throws -> SubmissionAnswer {
        let answer = try await connection.submit([submission])[0]
        guard case .accepted(let record) = answer, !record.status.isFinal else { return answer }
        for try await result in connection.results where result.id == submission.id {
            return .accepted(result)
        }
        throw TestGridError("no result for \(submission.id)")
    }

    static func connect<R: Sendable>(_ grid: TestGrid, _ identity: Identity,
                                     _ body: (GridConnection) async throws -> R) async throws -> R {
        try await GridConnection.withConnection(host: "127.0.0.1", port: grid.port, identity: identity,
                                                matchmaker: grid.matchmakerPeer,
                                                logger: Logger(label: "grid.test.client"), body)
    }

    /// The log lines of the matchmaker that contain `text` and name `job`.
    static func lines(_ grid: TestGrid, _ text: String, job: JobID) -> [Substring] {
        grid.log("matchmaker.log").split(separator: "\n").filter {
            $0.contains(text) && $0.contains("grid.job.id=\(job)")
        }
    }

    /// Polls the matchmaker's log until `text` appears `count` times for `job`, for at most 30 s.
    static func awaitLine(_ grid: TestGrid, _ text: String, job: JobID, count: Int = 1) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if lines(grid, text, job: job).count >= count { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    static func balances(_ grid: TestGrid) async throws -> [String: Int] {
        let run = try await GridRun.run(["ledger", "balances", "--json", "--home", grid.matchmakerHome])
        #expect(run.status == 0, "\(run.stderr)")
        return (run.json() ?? [:]).compactMapValues { $0 as? Int }
    }

    static func attempts(of job: JobID, _ grid: TestGrid, as identity: Identity) async throws
        -> [JobExplanation.Attempt] {
        try await connect(grid, identity) { try await $0.explain(job).attempts }
    }

    @Test("a known submitter's job is placed before its escrow commits and runs once; a first one waits for the commit")
    func placedEarlyOnceKnown() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker(environment: ["GRID_LOG_LEVEL": "debug"])
            let worker = try await grid.startWorker("a", plugins: [Self.text])
            let granted = try await Self.balances(grid)["peer:\(worker.peer.hex)"] ?? 0
            let alice = try Identity.loadOrCreate(at: grid.folder.file("alice")).identity
            let first = try GridClient.submission(for: Self.uppercase("one"), signedBy: alice)
            let second = try GridClient.submission(for: Self.uppercase("two"), signedBy: alice)
            let answers = try await Self.connect(grid, alice) { connection in
                [try await Self.run(first, on: connection), try await Self.run(second, on: connection)]
            }
            for (answer, output) in zip(answers, ["ONE", "TWO"]) {
                guard case .accepted(let record) = answer else {
                    Issue.record("refused: \(answer)")
                    continue
                }
                #expect(record.status == .succeeded && record.output == Data(output.utf8) && record.credits == 1)
            }
            // The first waited for its commit: the matchmaker knew nothing of alice's credits before it.
            #expect(Self.lines(grid, Self.placedEarly, job: first.id).isEmpty)
            #expect(Self.lines(grid, Self.placedEarly, job: second.id).count == 1, "\(grid.log("matchmaker.log"))")
            let attempts = try await Self.attempts(of: second.id, grid, as: alice)
            #expect(attempts.count == 1 && attempts.first?.outcome == .succeeded)
            #expect(attempts.first?.worker == worker.peer)
            let balances = try await Self.balances(grid)
            #expect(balances["peer:\(worker.peer.hex)"] == granted + 2)
            let verify = try await GridRun.run(["ledger", "verify", "--home", grid.matchmakerHome])
            #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        }
    }

    @Test("a resubmitted finished job and another submitter's copy of its id run, but are never settled or paid")
    func voidedRunsAreDiscarded() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker(extra: ["--grant", "20"], environment: ["GRID_LOG_LEVEL": "debug"])
            let worker = try await grid.startWorker("a", plugins: [Self.text])
            let granted = try await Self.balances(grid)["peer:\(worker.peer.hex)"] ?? 0
            let alice = try Identity.loadOrCreate(at: grid.folder.file("alice")).identity
            let bob = try Identity.loadOrCreate(at: grid.folder.file("bob")).identity
            let job = try GridClient.submission(for: Self.uppercase("once"), signedBy: alice)
            try await Self.connect(grid, alice) { connection in
                _ = try await Self.run(try GridClient.submission(for: Self.uppercase("warm"), signedBy: alice),
                                       on: connection)
                _ = try await Self.run(job, on: connection)
                // Sent again: alice is known, so it is placed before the store finds the id stored.
                guard case .accepted(let again) = try await connection.submit([job])[0] else {
                    Issue.record("a resubmission was refused")
                    return
                }
                #expect(again.status == .succeeded && again.output == Data("ONCE".utf8))
            }
            // Its run either ended before the store answered (its settlement, held, is dropped) or is discarded when it
            // ends: either way, nothing of it is written.
            #expect(try await Self.awaitLine(grid, Self.voided, job: job.id), "\(grid.log("matchmaker.log"))")

            // Bob, once known, signs an escrow for alice's id: refused, and its early run discarded too.
            let stolen = try GridClient.submission(for: Self.uppercase("theirs"), id: job.id, signedBy: bob)
            try await Self.connect(grid, bob) { connection in
                _ = try await Self.run(try GridClient.submission(for: Self.uppercase("bob"), signedBy: bob),
                                       on: connection)
                guard case .refused(_, let reason) = try await connection.submit([stolen])[0] else {
                    Issue.record("another submitter's copy of a stored id was accepted")
                    return
                }
                #expect(reason.contains(job.id.rawValue), "\(reason)")
            }
            #expect(try await Self.awaitLine(grid, Self.voided, job: job.id, count: 2), "\(grid.log("matchmaker.log"))")

            // Alice is barred from early placement now; her next job still runs, after its commit.
            let later = try GridClient.submission(for: Self.uppercase("later"), signedBy: alice)
            let answer = try await Self.connect(grid, alice) { try await Self.run(later, on: $0) }
            guard case .accepted(let done) = answer else {
                Issue.record("refused: \(answer)")
                return
            }
            #expect(done.status == .succeeded)
            #expect(Self.lines(grid, Self.placedEarly, job: later.id).isEmpty)

            // Four jobs settled, one payment each: the discarded runs moved no credit and left no attempt.
            let balances = try await Self.balances(grid)
            #expect(balances["peer:\(worker.peer.hex)"] == granted + 4)
            #expect(balances["peer:\(alice.peerID.hex)"] == 20 - 3)
            #expect(balances["peer:\(bob.peerID.hex)"] == 20 - 1)
            let attempts = try await Self.attempts(of: job.id, grid, as: alice)
            #expect(attempts.count == 1 && attempts.first?.outcome == .succeeded)
            let entries = try await GridRun.run(["ledger", "show", "--json", "--job", job.id.rawValue,
                                                 "--home", grid.matchmakerHome])
            #expect(entries.stdout.components(separatedBy: "\"payment\"").count - 1 == 1, "\(entries.stdout)")
            let verify = try await GridRun.run(["ledger", "verify", "--home", grid.matchmakerHome])
            #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        }
    }

    @Test("an escrow the known balance does not cover is not placed early, and the store refuses it without a run")
    func uncoveredWaitsForTheStore() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker(extra: ["--grant", "10"], environment: ["GRID_LOG_LEVEL": "debug"])
            try await grid.startWorker("a", plugins: [Self.text])
            let alice = try Identity.loadOrCreate(at: grid.folder.file("alice")).identity
            let big = try GridClient.submission(for: Self.uppercase("big", maxCredits: 10), signedBy: alice)
            let answer = try await Self.connect(grid, alice) { connection in
                _ = try await Self.run(try GridClient.submission(for: Self.uppercase("small"), signedBy: alice),
                                       on: connection)
                return try await connection.submit([big])[0]
            }
            guard case .refused(_, let reason) = answer else {
                Issue.record("an escrow of more than the balance was accepted: \(answer)")
                return
            }
            #expect(reason.contains("credits"), "\(reason)")
            #expect(Self.lines(grid, Self.placedEarly, job: big.id).isEmpty)
            #expect(Self.lines(grid, "job assigned", job: big.id).isEmpty)
        }
    }

    @Test("credits transferred away by the operator: the job is refused as always, and the next waits for its commit")
    func transferBehindTheBound() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker(extra: ["--grant", "10"], environment: ["GRID_LOG_LEVEL": "debug"])
            let worker = try await grid.startWorker("a", plugins: [Self.text])
            let granted = try await Self.balances(grid)["peer:\(worker.peer.hex)"] ?? 0
            let alice = try Identity.loadOrCreate(at: grid.folder.file("alice")).identity
            let big = try GridClient.submission(for: Self.uppercase("big", maxCredits: 5), signedBy: alice)
            let next = try GridClient.submission(for: Self.uppercase("next"), signedBy: alice)
            let last = try GridClient.submission(for: Self.uppercase("last"), signedBy: alice)
            var moved = 0
            let answers = try await Self.connect(grid, alice) { connection in
                _ = try await Self.run(try GridClient.submission(for: Self.uppercase("small"), signedBy: alice),
                                       on: connection)
                // All but 1 of alice's credits go to the worker, the matchmaker running: its bound is now too high.
                let left = try await Self.balances(grid)["peer:\(alice.peerID.hex)"] ?? 0
                let transfer = try await GridRun.run(["ledger", "transfer", "--from", alice.peerID.hex,
                                                      "--to", worker.peer.hex, "\(left - 1)",
                                                      "--home", grid.matchmakerHome])
                #expect(transfer.status == 0, "\(transfer.stderr)")
                moved = left - 1
                let refused = try await connection.submit([big])[0]
                // Granted again is not possible (one grant per peer): alice gets credits back from the worker.
                let back = try await GridRun.run(["ledger", "transfer", "--from", worker.peer.hex,
                                                  "--to", alice.peerID.hex, "8", "--home", grid.matchmakerHome])
                #expect(back.status == 0, "\(back.stderr)")
                return [refused, try await Self.run(next, on: connection), try await Self.run(last, on: connection)]
            }
            guard case .refused(_, let reason) = answers[0] else {
                Issue.record("an escrow of more than the balance was accepted: \(answers[0])")
                return
            }
            #expect(reason.contains("credits"), "\(reason)")
            for answer in answers.dropFirst() {
                guard case .accepted(let record) = answer else {
                    Issue.record("refused: \(answer)")
                    continue
                }
                #expect(record.status == .succeeded)
            }
            // The matchmaker's bound still held the 8 credits alice had before the transfer: big was placed early.
            #expect(Self.lines(grid, Self.placedEarly, job: big.id).count == 1, "\(grid.log("matchmaker.log"))")
            #expect(Self.lines(grid, Self.voided, job: big.id).count == 1, "\(grid.log("matchmaker.log"))")
            // Not barred, only made to wait: the next job is placed after its commit, the one after it early again.
            #expect(Self.lines(grid, Self.placedEarly, job: next.id).isEmpty, "\(grid.log("matchmaker.log"))")
            #expect(Self.lines(grid, Self.placedEarly, job: last.id).count == 1, "\(grid.log("matchmaker.log"))")
            // Paid for small, next and last; nothing for big, whether or not its early run ended before the refusal.
            let balances = try await Self.balances(grid)
            #expect(balances["peer:\(worker.peer.hex)"] == granted + moved - 8 + 3)
            let verify = try await GridRun.run(["ledger", "verify", "--home", grid.matchmakerHome])
            #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        }
    }

    @Test("the matchmaker killed while a known submitter's jobs run one by one: every job ends once, credits add up")
    func killedBetweenPlacementAndCommit() async throws {
        try await TestGrid.run { grid in
            let options = ["--grant", "1000"]
            let debug = ["GRID_LOG_LEVEL": "debug"]
            try await grid.startMatchmaker(extra: options, environment: debug)
            let port = grid.port
            try await grid.startWorker("a", plugins: [Self.text])
            let alice = try Identity.loadOrCreate(at: grid.folder.file("alice")).identity
            let finished = Mutex<[JobID]>([])
            // Round trips one after another, riding out the kills (the client resends what got no answer: safe).
            // Most are placed before their escrow commits (checked below), so a kill may land between a placement
            // and its commit; whatever it hits, every job must end once and every credit be accounted for.
            let trips = Task {
                try await Self.connect(grid, alice) { connection in
                    for n in 0..<90 {
                        let submission = try GridClient.submission(for: Self.uppercase("trip \(n)"), signedBy: alice)
                        guard case .accepted(let record) = try await Self.run(submission, on: connection) else {
                            throw TestGridError("trip \(n) was refused")
                        }
                        #expect(record.status == .succeeded && record.output == Data("TRIP \(n)".utf8))
                        finished.withLock { $0.append(record.id) }
                    }
                }
            }
            for kill in 1...3 {
                let deadline = ContinuousClock.now + .seconds(60)
                while finished.withLock({ $0.count }) < kill * 20, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(1))
                }
                #expect(await grid.killMatchmaker() != 0)
                try await grid.startMatchmaker(port: port, extra: options, environment: debug)
            }
            try await trips.value
            #expect(await grid.stopMatchmaker() == 0)

            let ids = finished.withLock { $0 }
            #expect(ids.count == 90 && Set(ids).count == 90)
            // The log of all four matchmakers (appended): most trips were placed before their escrow committed.
            let early = grid.log("matchmaker.log").split(separator: "\n").filter { $0.contains(Self.placedEarly) }
            #expect(early.count >= 45, "\(early.count) of 90 placed early")
            let ledger = try DatabaseQueue(path: grid.ledgerPath)
            let (escrowed, unsettled, held, twice, grants, peers) = try await ledger.read { db in
                (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger_jobs") ?? -1,
                 try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM ledger_jobs WHERE coalesce(paid, 0) + coalesce(refunded, 0) != escrowed
                    """) ?? -1,
                 try Int.fetchOne(db, sql: """
                    SELECT coalesce(SUM(balance), 0) FROM ledger_balances WHERE account LIKE 'escrow:%'
                    """) ?? -1,
                 try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM (SELECT job, kind FROM ledger_entries
                                          WHERE kind IN ('payment', 'refund', 'result')
                                          GROUP BY job, kind HAVING COUNT(*) > 1)
                    """) ?? -1,
                 try Int.fetchOne(db, sql: "SELECT SUM(amount) FROM ledger_entries WHERE kind = 'grant'") ?? -1,
                 try Int.fetchOne(db, sql: "SELECT SUM(balance) FROM ledger_balances WHERE account LIKE 'peer:%'")
                    ?? -1)
            }
            // Every job stored is one of the 90, settled once: none stored twice, none left holding its escrow.
            #expect(escrowed == 90, "jobs escrowed")
            #expect(unsettled == 0 && held == 0, "escrows not paid out or refunded")
            #expect(twice == 0, "a job settled twice")
            #expect(peers == grants, "credits created or lost")
            let verify = try await GridRun.run(["ledger", "verify", "--home", grid.matchmakerHome])
            #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        }
    }
}
