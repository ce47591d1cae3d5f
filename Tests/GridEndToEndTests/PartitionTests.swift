import Foundation
import GRDB
import GridTestKit
import Testing

/// Partitions across hosts: the matchmaker and two workers in separate network namespaces joined by veth pairs
/// (10.77.1.0/24 and 10.77.2.0/24, used only inside the namespaces the test makes), a worker's link cut mid-job and
/// restored. See docs/partitions.md.
extension GridEndToEndTests {
    /// About 2 s of work on one core (the largest n primes.count takes), so the link is cut while it runs.
    static let partitionInput = "50000000"
    static let partitionOutput = "3001134"

    @Test("a worker's link cut mid-job and restored: the job completes exactly once, the grid recovers unrestarted",
          .enabled(if: NetworkLab.unavailableReason == nil,
                   Comment(rawValue: NetworkLab.unavailableReason ?? "")))
    func partitionAcrossNamespaces() async throws {
        let lab: NetworkLab
        switch await NetworkLab.open() {
        case .success(let opened):
            lab = opened
        case .failure(let reason):
            print("partition test skipped: \(reason)")
            try Test.cancel("skipped: \(reason)")
        }
        try await lab.run { lab in
            let mm = try await lab.namespace("mm")
            var namespaces: [String: String] = [:]
            for (index, name) in ["w1", "w2"].enumerated() {
                let namespace = try await lab.namespace(name)
                try await lab.link(mm, "to-\(name)", "10.77.\(index + 1).1/24", to: namespace, "to-mm",
                                   "10.77.\(index + 1).2/24")
                namespaces[name] = namespace
            }
            try await NamespacedGrid.run(lab: lab, matchmakerNamespace: mm) { grid in
                try await Self.cutAndRestore(grid, namespaces: namespaces)
            }
        }
    }

    private static func cutAndRestore(_ grid: NamespacedGrid, namespaces: [String: String]) async throws {
        try await grid.startMatchmaker()
        var workers: [String: NamespacedGrid.Worker] = [:]
        for (index, name) in ["w1", "w2"].enumerated() {
            workers[name] = try await grid.startWorker(
                name, in: namespaces[name]!, matchmakerHost: "10.77.\(index + 1).1", plugins: [primes])
        }

        let (job, cut, other) = try await cutMidJob(grid, workers: Array(workers.values))

        // Partitioned, the job is still running on the cut worker or handed to the other one; it must not finish
        // on the cut one, whose result cannot get through.
        let final = try await poll("job \(job) final", limit: .seconds(90)) { () -> [String: Any]? in
            guard let record = try await grid.status(job) else { return nil }
            return ["succeeded", "failed", "cancelled"].contains(record["status"] as? String ?? "") ? record : nil
        }
        #expect(final["status"] as? String == "succeeded", "\(final)")
        #expect(final["output"] as? String == partitionOutput)
        #expect(final["worker"] as? String == other.peer.hex, "the job finished while its worker was cut off")
        #expect(final["attempts"] as? Int == 2, "\(final)")

        // Restore the link. The cut worker's late result must change nothing, and it must take jobs again.
        try await grid.lab.setLink(cut.namespace, "to-mm", up: true)
        let pinned = try await poll("a job on the restored worker", limit: .seconds(120)) { () -> [String: Any]? in
            let run = try await grid.grid(["submit", "--capability", "primes.count", "--text", "1000",
                                           "--requirements", "labels.name == \"\(cut.name)\"", "--wait", "--json",
                                           "--timeout", "10"])
            guard run.status == 0, let record = run.json(), record["status"] as? String == "succeeded" else {
                return nil
            }
            return record
        }
        #expect(pinned["worker"] as? String == cut.peer.hex)
        #expect(pinned["output"] as? String == "168")
        let again = try await grid.status(job)
        #expect(again?["status"] as? String == "succeeded" && again?["worker"] as? String == other.peer.hex,
                "the partitioned job's record changed after the link came back: \(again ?? [:])")
        #expect(await grid.stopMatchmaker() == 0)

        let ledger = try DatabaseQueue(path: grid.ledgerPath)
        let (payments, refunds, held, paidTo) = try await ledger.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger_entries WHERE kind = 'payment' AND job = ?",
                              arguments: [job]) ?? -1,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger_entries WHERE kind = 'refund' AND job = ?",
                              arguments: [job]) ?? -1,
             try Int.fetchOne(db, sql: """
                SELECT coalesce(SUM(balance), 0) FROM ledger_balances WHERE account LIKE 'escrow:%'
                """) ?? -1,
             try String.fetchOne(db, sql: "SELECT to_account FROM ledger_entries WHERE kind = 'payment' AND job = ?",
                                 arguments: [job]))
        }
        #expect(payments == 1, "the partitioned job was paid \(payments) times")
        #expect(refunds <= 1)
        #expect(held == 0, "credits left in escrow")
        #expect(paidTo == "peer:\(other.peer.hex)", "paid to \(paidTo ?? "nobody")")
        let verify = try await GridRun.run(["ledger", "verify", "--home", grid.matchmakerHome])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
    }

    /// Submits a job of about two seconds and, as soon as it runs, cuts the link of the worker running it; returns
    /// the job, the cut worker and the other. When the job had already finished by the time of the cut (a loaded
    /// machine can be that slow to look), the link is restored and a new job tried, up to three times.
    private static func cutMidJob(_ grid: NamespacedGrid, workers: [NamespacedGrid.Worker]) async throws
        -> (job: String, cut: NamespacedGrid.Worker, other: NamespacedGrid.Worker) {
        for attempt in 1...3 {
            // The job's timeout bounds how long the matchmaker waits for the cut worker before trying another.
            let submit = try await grid.grid(["submit", "--capability", "primes.count", "--text", partitionInput,
                                              "--timeout", "8", "--max-credits", "5"])
            try #require(submit.status == 0, "\(submit.stderr)")
            let job = submit.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let running = try await poll("job \(job) running") { () -> [String: Any]? in
                guard let record = try await grid.status(job) else { return nil }
                return record["status"] as? String == "running" && record["worker"] is String ? record : nil
            }
            let cut = try #require(workers.first { $0.peer.hex == running["worker"] as? String })
            let other = try #require(workers.first { $0.name != cut.name })
            try await grid.lab.setLink(cut.namespace, "to-mm", up: false)
            let afterCut = try await grid.status(job)?["status"] as? String
            if afterCut == "running" || attempt == 3 {
                return (job, cut, other)
            }
            try await grid.lab.setLink(cut.namespace, "to-mm", up: true)
        }
        throw TestGridError("unreachable")
    }

    /// Calls `probe` every 100 ms until it returns a value; fails after `limit`.
    private static func poll<T>(_ what: String, limit: Duration = .seconds(60),
                                _ probe: () async throws -> T?) async throws -> T {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let value = try await probe() { return value }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestGridError("gave up waiting for \(what) after \(limit)")
    }
}
