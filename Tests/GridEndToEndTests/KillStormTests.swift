import Foundation
import GRDB
import GridClient
import GridCore
import GridCrypto
import GridTestKit
import Logging
import Testing

/// A bounded kill storm: workers killed and restarted, the matchmaker killed (SIGKILL) and restarted, while jobs run.
extension GridEndToEndTests {
    /// Jobs in the storm, submitted in batches of `stormBatch`: most before the workers come, the rest after the
    /// matchmaker's restart.
    static let stormJobs = 240
    static let stormBatch = 40
    /// π(3,000,000): short jobs, so 240 of them with the kills take about 17 s on the shared 2-core machine.
    static let stormInput = "3000000"
    static let stormAnswer = "216816"

    @Test("kill storm: every job ends exactly once, no escrow is left held, credits are conserved, the ledger verifies")
    func killStorm() async throws {
        try await TestGrid.run { grid in
            // Enough credits for every job's escrow at once (the default grant is 100).
            let matchmaker = ["--grant", "1000"]
            try await grid.startMatchmaker(extra: matchmaker)
            let port = grid.port
            // The identity `grid jobs` uses, so it lists these jobs.
            let identity = try Identity.loadOrCreate(at: grid.clientHome + "/identity").identity
            var jobs: Set<String> = []
            func submit(batches: Int) async throws {
                let ids = try await GridConnection.withConnection(
                    host: "127.0.0.1", port: grid.port, identity: identity, matchmaker: grid.matchmakerPeer,
                    logger: Logger(label: "grid.test.storm")
                ) { connection in
                    var ids: [String] = []
                    for _ in 0..<batches {
                        // One job in eight runs on two workers for a quorum of two (docs/quorum.md).
                        let requests = (0..<Self.stormBatch).map { index in
                            JobRequest(capability: "primes.count", input: Data(Self.stormInput.utf8), maxCredits: 2,
                                       redundancy: index % 8 == 0 ? 2 : nil)
                        }
                        for answer in try await connection.submit(requests) {
                            guard case .accepted(let record) = answer else {
                                throw TestGridError("a storm job was refused: \(answer)")
                            }
                            ids.append(record.id.rawValue)
                        }
                    }
                    return ids
                }
                jobs.formUnion(ids)
            }
            // Most of the queue is there before the workers come, so the first kills find them busy.
            try await submit(batches: 4)
            for name in ["w1", "w2", "w3"] { try await grid.startWorker(name, plugins: [Self.primes]) }

            // Chaos, each step once enough jobs are final (polled with a deadline, never slept for). Every worker is
            // killed and restarted more than once; the matchmaker is killed once, while jobs run.
            try await Self.waitUntil(finalAtLeast: 20, grid)
            await grid.kill("w1")
            try await Self.waitUntil(finalAtLeast: 45, grid)
            try await grid.startWorker("w1", plugins: [Self.primes])
            await grid.kill("w2")
            try await Self.waitUntil(finalAtLeast: 70, grid)
            #expect(await grid.killMatchmaker() != 0)
            await grid.kill("w3")
            try await grid.startMatchmaker(port: port, extra: matchmaker)
            try await grid.startWorker("w2", plugins: [Self.primes])
            try await submit(batches: Self.stormJobs / Self.stormBatch - 4)
            try await Self.waitUntil(finalAtLeast: 100, grid)
            try await grid.startWorker("w3", plugins: [Self.primes])
            await grid.kill("w1")
            try await grid.startWorker("w1", plugins: [Self.primes])
            try await Self.waitUntil(finalAtLeast: 140, grid)
            await grid.kill("w2")
            try await grid.startWorker("w2", plugins: [Self.primes])
            try await Self.waitUntil(finalAtLeast: 180, grid)
            await grid.kill("w3")
            try await grid.startWorker("w3", plugins: [Self.primes])
            await grid.kill("w1")
            try await grid.startWorker("w1", plugins: [Self.primes])
            let records = try await Self.waitUntil(finalAtLeast: Self.stormJobs, grid)

            #expect(records.count == Self.stormJobs)
            #expect(Set(records.compactMap { $0["job"] as? String }) == jobs)
            // The kills cost attempts: some job needed more than one.
            #expect(records.contains { ($0["attempts"] as? Int ?? 0) > 1 }, "\(records.map { $0["attempts"] ?? 0 })")
            for record in records {
                let status = record["status"] as? String
                #expect(status == "succeeded" || status == "failed", "\(record)")
            }
            if let done = records.first(where: { $0["status"] as? String == "succeeded" })?["job"] as? String {
                #expect(try await grid.grid(["result", done]).stdout == Self.stormAnswer)
            }
            #expect(await grid.stopMatchmaker() == 0)

            let ledger = try DatabaseQueue(path: grid.ledgerPath)
            let (settled, held, settlements, grants, peers, results) = try await ledger.read { db in
                (try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM ledger_jobs
                    WHERE coalesce(paid, 0) + coalesce(refunded, 0) = escrowed
                    """) ?? -1,
                 try Int.fetchOne(db, sql: """
                    SELECT coalesce(SUM(balance), 0) FROM ledger_balances WHERE account LIKE 'escrow:%'
                    """) ?? -1,
                 // A job is refunded at most once and pays each worker at most once (a quorum pays several).
                 try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM (SELECT job, kind, to_account FROM ledger_entries
                                          WHERE kind IN ('payment', 'refund')
                                          GROUP BY job, kind, to_account HAVING COUNT(*) > 1)
                    """) ?? -1,
                 try Int.fetchOne(db, sql: "SELECT SUM(amount) FROM ledger_entries WHERE kind = 'grant'") ?? -1,
                 try Int.fetchOne(db, sql: "SELECT SUM(balance) FROM ledger_balances WHERE account LIKE 'peer:%'")
                    ?? -1,
                 try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT job) FROM ledger_entries WHERE kind = 'result'") ?? -1)
            }
            #expect(settled == Self.stormJobs, "jobs whose escrow is not fully paid out or refunded")
            #expect(held == 0, "credits left in escrow")
            #expect(settlements == 0, "a job paid or refunded twice")
            #expect(peers == grants, "credits created or lost")
            #expect(results == Self.stormJobs, "every settled job has its result in the ledger")
            let verify = try await GridRun.run(["ledger", "verify", "--home", grid.matchmakerHome])
            #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        }
    }

    /// Polls `grid jobs` until at least `count` jobs are final, riding out a matchmaker that is down; returns the
    /// listing. Fails after two minutes.
    @discardableResult
    static func waitUntil(finalAtLeast count: Int, _ grid: TestGrid) async throws -> [[String: Any]] {
        let deadline = ContinuousClock.now + .seconds(120)
        var last: [[String: Any]] = []
        while ContinuousClock.now < deadline {
            let run = try await grid.grid(["jobs", "--json"])
            if run.status == 0, let data = run.stdout.data(using: .utf8),
               let list = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] {
                last = list
                let final = list.filter { ["succeeded", "failed", "cancelled"].contains($0["status"] as? String ?? "") }
                if final.count >= count { return list }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestGridError("fewer than \(count) jobs final after 2 minutes: \(last.map { $0["status"] ?? "?" })")
    }
}
