import Foundation
import GridCore
import GridCrypto
import GridTestKit
import Testing

/// `grid explain` against real `grid` processes: a job that waits, a job that ran, and who may ask.
@Suite("Command line: explain", .serialized)
struct ExplainCommandTests {
    static let hash = "libGridPluginHash.so"

    @Test("explain says why a job waits, clause by clause, and lists the attempts of a finished one")
    func waitingAndFinished() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            let worker = try await grid.startWorker("a", plugins: [Self.hash])
            let short = worker.peer.short

            let submitted = try await grid.grid(["submit", "--capability", "hash.sha3", "--text", "abc", "--json"])
            let waiting = try #require(submitted.json()?["job"] as? String, "\(submitted.stdout) \(submitted.stderr)")
            let text = try await grid.grid(["explain", waiting])
            #expect(text.status == 0, "\(text.stderr)")
            let lines = text.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            #expect(lines.first == "Job \(waiting) is queued: no connected worker offers capability 'hash.sha3'; "
                + "capabilities on offer: hash.blake2b, hash.sha256.", "\(text.stdout)")
            #expect(lines.contains("1 worker is connected."), "\(text.stdout)")
            #expect(lines.contains("1     capability hash.sha3 offered  1          0"), "\(text.stdout)")
            #expect(lines.contains("  \(short)  capability: capability 'hash.sha3' not offered"), "\(text.stdout)")
            #expect(lines.contains("  capability: no worker offers hash.sha3; 1 offers hash.sha256, 1 offers "
                + "hash.blake2b"), "\(text.stdout)")
            #expect(lines.last == "No attempts yet.", "\(text.stdout)")

            let json = try await grid.grid(["explain", waiting, "--json"])
            let object = try #require(json.json(), "\(json.stdout)")
            #expect(object["status"] as? String == "queued")
            let analysis = try #require(object["waiting"] as? [String: Any])
            #expect(analysis["connected"] as? Int == 1)
            let clauses = try #require(analysis["clauses"] as? [[String: Any]])
            #expect(clauses.compactMap { $0["name"] as? String }
                    == ["capability", "version", "labels", "requirements", "accept", "price", "slots"])
            let ruledOut = try #require(clauses.first?["ruledOut"] as? [[String: Any]])
            #expect(ruledOut.first?["worker"] as? String == short)

            let ran = try await grid.grid(["submit", "--capability", "hash.sha256", "--text", "abc", "--wait",
                                           "--json"])
            let finished = try #require(ran.json()?["job"] as? String, "\(ran.stdout) \(ran.stderr)")
            let output = try #require(ran.json()?["output"] as? String)
            let digest = Hex.encode(Digest.sha256(Array(output.utf8)))
            let done = try await grid.grid(["explain", finished])
            #expect(done.status == 0, "\(done.stderr)")
            let doneLines = done.stdout.split(separator: "\n").map(String.init)
            #expect(doneLines.first == "Job \(finished) succeeded.", "\(done.stdout)")
            #expect(doneLines.contains("It asks for hash.sha256 at version *."), "\(done.stdout)")
            let row = try #require(doneLines.last, "\(done.stdout)")
            #expect(row.hasPrefix("1        \(short)  "), "\(done.stdout)")
            #expect(row.hasSuffix("  succeeded  \(digest.prefix(16))"), "\(done.stdout)")
            let doneJSON = try #require(try await grid.grid(["explain", finished, "--json"]).json())
            let attempts = try #require(doneJSON["attempts"] as? [[String: Any]])
            #expect(attempts.count == 1)
            #expect(attempts.first?["worker"] as? String == worker.peer.hex)
            #expect(attempts.first?["outcome"] as? String == "succeeded")
            #expect(attempts.first?["outputDigest"] as? String == digest)
            #expect(doneJSON["waiting"] == nil)

            // Only the submitter may ask; an unknown job is named.
            let stranger = ["--home", grid.folder.file("stranger"), "--matchmaker", grid.matchmakerAddress]
            let refused = try await GridRun.run(["explain", waiting] + stranger)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("only the submitter of job \(waiting) may ask for its explanation"),
                    "\(refused.stderr)")
            let unknown = try await grid.grid(["explain", "no-such-job"])
            #expect(unknown.status != 0)
            #expect(unknown.stderr.contains("no-such-job"), "\(unknown.stderr)")
        }
    }

    /// `grid explain JOB --json`'s attempts, polled until `done` holds for them or 60 s pass.
    static func attempts(_ grid: TestGrid, _ job: String, until done: ([[String: Any]]) -> Bool) async throws
        -> [[String: Any]] {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let run = try await grid.grid(["explain", job, "--json"])
            let attempts = run.json()?["attempts"] as? [[String: Any]] ?? []
            if done(attempts) || ContinuousClock.now > deadline { return attempts }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    @Test("explain lists a crashed attempt with the runner's death, and one lost with its worker")
    func crashedAndLost() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker(extra: ["--max-attempts", "1"])
            let worker = try await grid.startWorker("a", plugins: ["libGridTestPluginFaultsC.so"],
                                                    extra: ["--quarantine-crashes", "100"])
            let crashed = try await grid.grid(["submit", "--capability", "faults.segv", "--text", "x", "--wait",
                                               "--json", "--timeout", "60"])
            let crashedJob = try #require(crashed.json()?["job"] as? String, "\(crashed.stdout) \(crashed.stderr)")
            let text = try await grid.grid(["explain", crashedJob]).stdout
            #expect(text.hasPrefix("Job \(crashedJob) failed: attempt 1 failed on worker \(worker.peer.short): "),
                    "\(text)")
            let row = try #require(text.split(separator: "\n").last.map(String.init))
            #expect(row.hasPrefix("1        \(worker.peer.short)  "), "\(text)")
            #expect(row.hasSuffix("  crashed  -" + String(repeating: " ", count: 15) + "The plugin faults-c crashed "
                + "with SIGSEGV while running faults.segv."), "\(text)")

            let submitted = try await grid.grid(["submit", "--capability", "faults.hang", "--text", "x", "--json"])
            let hanging = try #require(submitted.json()?["job"] as? String, "\(submitted.stdout)")
            let running = try await Self.attempts(grid, hanging) { $0.count == 1 }
            #expect(running.first?["outcome"] == nil, "\(running)")
            await grid.kill("a")
            let lost = try await Self.attempts(grid, hanging) { $0.first?["outcome"] != nil }
            #expect(lost.first?["outcome"] as? String == "lost", "\(lost)")
            #expect(lost.first?["reason"] as? String
                    == "worker \(worker.peer.short) disconnected while running it", "\(lost)")
            #expect(lost.first?["endedAt"] as? Int != nil, "\(lost)")
        }
    }

    @Test("explain lists each run of a quorum job with its worker and output digest; the liar's differs")
    func quorumDigests() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            let a = try await grid.startWorker("a", plugins: ["libGridTestPluginFaultsC.so"])
            let b = try await grid.startWorker("b", plugins: ["libGridTestPluginFaultsC.so"])
            let c = try await grid.startWorker("c", plugins: ["libGridTestPluginLiarC.so"])
            let run = try await grid.grid(["submit", "--capability", "faults.echo", "--text", "truth",
                                           "--redundancy", "3", "--quorum", "2", "--wait", "--json",
                                           "--timeout", "60"])
            let job = try #require(run.json()?["job"] as? String, "\(run.stdout) \(run.stderr)")
            let explanation = try #require(try await grid.grid(["explain", job, "--json"]).json())
            let attempts = try #require(explanation["attempts"] as? [[String: Any]])
            var digests: [String: String] = [:]
            for attempt in attempts {
                #expect(attempt["outcome"] as? String == "succeeded", "\(attempt)")
                digests[attempt["worker"] as? String ?? ""] = attempt["outputDigest"] as? String
            }
            #expect((attempts.compactMap { $0["run"] as? Int }).sorted() == [1, 2, 3])
            let honest = Hex.encode(Digest.sha256(Array("truth".utf8)))
            #expect(digests[a.peer.hex] == honest)
            #expect(digests[b.peer.hex] == honest)
            #expect(digests[c.peer.hex] != nil && digests[c.peer.hex] != honest, "\(digests)")
            let text = try await grid.grid(["explain", job]).stdout
            #expect(text.contains("RUN  ATTEMPT  WORKER"), "\(text)")
            #expect(text.contains("\(c.peer.short)  "), "\(text)")
        }
    }
}
