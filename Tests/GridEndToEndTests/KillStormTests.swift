import Foundation
import GRDB
import GridTestKit
import Testing

/// A bounded kill storm: workers killed and restarted, the matchmaker killed (SIGKILL) and restarted, while jobs run.
extension GridEndToEndTests {
    static let stormJobs = 30

    @Test("kill storm: every job ends exactly once, no escrow is left held, credits are conserved, the ledger verifies")
    func killStorm() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            let port = grid.port
            // The queue is full before the workers come, so every kill finds them busy (about 1 s a job).
            var jobs: [String] = []
            for _ in 0..<Self.stormJobs {
                let run = try await grid.grid(["submit", "--capability", "primes.count", "--text", "20000000",
                                               "--max-credits", "2"])
                try #require(run.status == 0, "\(run.stderr)")
                jobs.append(run.stdout)
            }
            for name in ["w1", "w2", "w3"] { try await grid.startWorker(name, plugins: [Self.primes]) }

            // Chaos, each step once enough jobs are final (polled with a deadline, never slept for).
            try await Self.waitUntil(finalAtLeast: 2, grid)
            await grid.kill("w1")
            try await Self.waitUntil(finalAtLeast: 5, grid)
            try await grid.startWorker("w1", plugins: [Self.primes])
            await grid.kill("w2")
            try await Self.waitUntil(finalAtLeast: 8, grid)
            #expect(await grid.killMatchmaker() != 0)
            await grid.kill("w3")
            try await grid.startMatchmaker(port: port)
            try await grid.startWorker("w2", plugins: [Self.primes])
            try await Self.waitUntil(finalAtLeast: 14, grid)
            try await grid.startWorker("w3", plugins: [Self.primes])
            await grid.kill("w1")
            try await grid.startWorker("w1", plugins: [Self.primes])
            let records = try await Self.waitUntil(finalAtLeast: Self.stormJobs, grid)

            #expect(Set(records.compactMap { $0["job"] as? String }) == Set(jobs))
            // The kills cost attempts: some job needed more than one.
            #expect(records.contains { ($0["attempts"] as? Int ?? 0) > 1 }, "\(records.map { $0["attempts"] ?? 0 })")
            for record in records {
                let status = record["status"] as? String
                #expect(status == "succeeded" || status == "failed", "\(record)")
            }
            if let done = records.first(where: { $0["status"] as? String == "succeeded" })?["job"] as? String {
                #expect(try await grid.grid(["result", done]).stdout == "1270607")
            }
            #expect(await grid.stopMatchmaker() == 0)

            let ledger = try DatabaseQueue(path: grid.ledgerPath)
            let (settled, held, settlements, grants, peers) = try await ledger.read { db in
                (try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM ledger_jobs
                    WHERE coalesce(paid, 0) + coalesce(refunded, 0) = escrowed
                    """) ?? -1,
                 try Int.fetchOne(db, sql: """
                    SELECT coalesce(SUM(balance), 0) FROM ledger_balances WHERE account LIKE 'escrow:%'
                    """) ?? -1,
                 try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM (SELECT job, kind FROM ledger_entries WHERE kind IN ('payment', 'refund')
                                          GROUP BY job, kind HAVING COUNT(*) > 1)
                    """) ?? -1,
                 try Int.fetchOne(db, sql: "SELECT SUM(amount) FROM ledger_entries WHERE kind = 'grant'") ?? -1,
                 try Int.fetchOne(db, sql: "SELECT SUM(balance) FROM ledger_balances WHERE account LIKE 'peer:%'")
                    ?? -1)
            }
            #expect(settled == Self.stormJobs, "jobs whose escrow is not fully paid out or refunded")
            #expect(held == 0, "credits left in escrow")
            #expect(settlements == 0, "a job paid or refunded twice")
            #expect(peers == grants, "credits created or lost")
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
