import Foundation
import GridCore
import GridTestKit
import Testing

/// Replicas of the matchmaker's ledger on workers and clients, with real `grid` processes.
@Suite("Ledger replicas end to end", .serialized)
struct LedgerReplicaTests {
    static let text = "libGridPluginText.so"

    /// The number of entries `grid ledger verify` finds valid in the ledger of `home` (the matchmaker's file or a
    /// replica), or nil when it does not verify.
    static func verifiedEntries(home: String) async throws -> Int? {
        let run = try await GridRun.run(["ledger", "verify", "--home", home, "--json"])
        guard run.status == 0, let json = run.json(), let count = json["entries"] as? String else { return nil }
        return Int(count)
    }

    /// Polls until the replica in `home` verifies with as many entries as the matchmaker's file, or the deadline.
    static func caughtUp(_ grid: TestGrid, home: String) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            if let expected = try await verifiedEntries(home: grid.matchmakerHome), expected > 0,
               try await verifiedEntries(home: home) == expected {
                return true
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    static func runJobs(_ grid: TestGrid, _ words: [String]) async throws -> [String] {
        var ids: [String] = []
        for word in words {
            let run = try await grid.grid(["submit", "--capability", "text.uppercase", "--text", word, "--wait",
                                           "--json", "--max-credits", "5"])
            #expect(run.status == 0, "\(run.stderr)")
            if let id = run.json()?["job"] as? String { ids.append(id) }
        }
        return ids
    }

    /// Polls `grid ledger sync` (a checkpoint covering the newest entries is signed within a second).
    static func syncClient(_ grid: TestGrid) async throws -> GridRun {
        let deadline = ContinuousClock.now + .seconds(60)
        var run = try await grid.grid(["ledger", "sync"])
        while ContinuousClock.now < deadline {
            let mine = try await verifiedEntries(home: grid.clientHome)
            let theirs = try await verifiedEntries(home: grid.matchmakerHome)
            if run.status != 0 || (mine != nil && mine == theirs) { return run }
            try await Task.sleep(for: .milliseconds(200))
            run = try await grid.grid(["ledger", "sync"])
        }
        return run
    }

    @Test("a worker's replica and a client's follow a live matchmaker through a restart and verify like its file")
    func replicasFollowThroughRestarts() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            let port = grid.port
            try await grid.startWorker("a", plugins: [Self.text], extra: ["--replica-interval", "1"])
            let workerHome = grid.folder.file("a")
            let ids = try await Self.runJobs(grid, ["one", "two", "three"])
            #expect(try await Self.caughtUp(grid, home: workerHome), "\(grid.log("a.log"))")
            var sync = try await Self.syncClient(grid)
            #expect(sync.status == 0, "\(sync.stderr)")
            #expect(sync.stdout.hasPrefix("synced: the replica holds"), "\(sync.stdout)")

            #expect(await grid.stopMatchmaker() == 0)
            try await grid.startMatchmaker(port: port)
            _ = try await Self.runJobs(grid, ["four", "five"])
            #expect(try await Self.caughtUp(grid, home: workerHome), "\(grid.log("a.log"))")
            sync = try await Self.syncClient(grid)
            #expect(sync.status == 0, "\(sync.stderr)")
            let verify = try await GridRun.run(["ledger", "verify", "--home", grid.clientHome])
            #expect(verify.status == 0 && verify.stdout.contains("The ledger is valid"), "\(verify.stdout)")
            let balances = try await GridRun.run(["ledger", "balances", "--home", workerHome, "--json"])
            #expect(balances.status == 0 && balances.json() != nil, "\(balances.stderr)")

            // Receipts over the wire: the submitter gets one that checks out offline; a stranger gets none.
            let job = try #require(ids.first)
            let receipt = try await grid.grid(["ledger", "prove", job])
            #expect(receipt.status == 0, "\(receipt.stderr)")
            let file = grid.folder.file("receipt.json")
            try receipt.stdout.write(toFile: file, atomically: true, encoding: .utf8)
            let check = try await GridRun.run(["ledger", "check-proof", file,
                                               "--operator", try #require(grid.matchmakerPeer?.hex)])
            #expect(check.status == 0 && check.stdout.hasPrefix("valid: 4 entries for job \(job)"),
                    "\(check.stdout) \(check.stderr)")
            let stranger = try await GridRun.run(["ledger", "prove", job, "--home", grid.folder.file("stranger"),
                                                  "--matchmaker", grid.matchmakerAddress])
            #expect(stranger.status == 1)
            #expect(stranger.stderr.contains("only the submitter of job \(job) and the workers that ran it"),
                    "\(stranger.stderr)")
        }
    }

    @Test("a worker's replica checks and writes its pages on a thread of the lowest priority, and only there")
    func replicasRunOnIdleCores() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            let worker = try await grid.startWorker("a", plugins: [Self.text], extra: ["--replica-interval", "1"])
            let pid = worker.process.pid
            _ = try await Self.runJobs(grid, ["one", "two"])
            #expect(try await Self.caughtUp(grid, home: grid.folder.file("a")), "\(grid.log("a.log"))")
            let before = try #require(try ThreadInfo.threads(of: pid).first { $0.name == "grid-replica" })
            // More entries to pull, check and write: done on that thread, which otherwise only waits.
            _ = try await Self.runJobs(grid, ["three"])
            #expect(try await Self.caughtUp(grid, home: grid.folder.file("a")), "\(grid.log("a.log"))")
            let threads = try ThreadInfo.threads(of: pid)
            let replica = try #require(threads.first { $0.name == "grid-replica" }, "\(threads.map(\.name))")
            #expect(replica.tid == before.tid)
            #expect(replica.nice == Int(BackgroundThread.lowestPriority), "\(replica)")
            #expect(replica.policy == Int(BackgroundThread.idlePolicy), "\(replica)")
            #expect(replica.cpuNanoseconds > before.cpuNanoseconds, "\(replica)")
            // The threads that run jobs and connections keep the process's priority (its main thread's) or
            // Dispatch's higher ones for its quality-of-service classes.
            let main = try #require(threads.first { $0.tid == Int(pid) })
            let others = threads.filter { $0.tid != replica.tid }
            #expect(others.count > 1 && others.allSatisfy { $0.nice <= main.nice && $0.policy == main.policy },
                    "\(others)")
        }
    }

    @Test("replicas cosign the checkpoints they verified; `ledger checkpoint` lists the cosigners")
    func witnessesCosign() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            let worker = try await grid.startWorker("a", plugins: [Self.text], extra: ["--replica-interval", "1"])
            _ = try await Self.runJobs(grid, ["one", "two"])
            #expect(try await Self.caughtUp(grid, home: grid.folder.file("a")), "\(grid.log("a.log"))")
            let sync = try await Self.syncClient(grid)
            #expect(sync.status == 0, "\(sync.stderr)")
            let client = try await GridRun.run(["id", "--home", grid.clientHome]).stdout
            let deadline = ContinuousClock.now + .seconds(60)
            var cosigners: [String] = []
            while ContinuousClock.now < deadline {
                let run = try await GridRun.run(["ledger", "checkpoint", "--home", grid.matchmakerHome, "--json"])
                cosigners = run.json()?["cosigners"] as? [String] ?? []
                if Set(cosigners).isSuperset(of: [client, worker.peer.hex]) { break }
                // The client cosigns the checkpoint it synced to; a newer one needs a newer sync.
                _ = try await grid.grid(["ledger", "sync"])
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(Set(cosigners).isSuperset(of: [client, worker.peer.hex]), "\(cosigners)")
            let text = try await GridRun.run(["ledger", "checkpoint", "--home", grid.matchmakerHome])
            #expect(text.stdout.contains("cosigned by"), "\(text.stdout)")
            #expect(text.stdout.contains(worker.peer.hex))
            // The matchmaker's file still verifies with the cosignatures in it.
            let verify = try await GridRun.run(["ledger", "verify", "--home", grid.matchmakerHome])
            #expect(verify.status == 0, "\(verify.stdout)")
        }
    }

    @Test("a replica refuses a forked history, keeps both signed checkpoints, and `ledger verify` reports equivocation")
    func forkIsRefusedWithEvidence() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            let port = grid.port
            try await grid.startWorker("a", plugins: [Self.text], extra: ["--no-replica"])
            _ = try await Self.runJobs(grid, ["one", "two"])
            let first = try await Self.syncClient(grid)
            #expect(first.status == 0, "\(first.stderr)")
            // A second replica, which will not sync again: it learns of the fork only from a checkpoint handed to it.
            let observer = grid.folder.file("observer")
            let observed = try await GridRun.run(["ledger", "sync", "--no-cosign", "--home", observer,
                                                  "--matchmaker", grid.matchmakerAddress])
            #expect(observed.status == 0, "\(observed.stderr)")
            await grid.kill("a")
            #expect(await grid.stopMatchmaker() == 0)

            // The operator starts over with the same key: a second history of the same ledger.
            for suffix in ["", "-wal", "-shm"] {
                try? FileManager.default.removeItem(atPath: grid.ledgerPath + suffix)
            }
            try await grid.startMatchmaker(port: port)
            let submitted = try await grid.grid(["submit", "--capability", "text.uppercase", "--text", "again"])
            #expect(submitted.status == 0, "\(submitted.stderr)")
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline,
                  try await GridRun.run(["ledger", "checkpoint", "--home", grid.matchmakerHome]).status != 0 {
                try await Task.sleep(for: .milliseconds(100))
            }
            let before = try await Self.verifiedEntries(home: grid.clientHome)

            let forked = try await grid.grid(["ledger", "sync"])
            #expect(forked.status == 1)
            #expect(forked.stderr.contains("The matchmaker's ledger forked"), "\(forked.stderr)")
            let verify = try await GridRun.run(["ledger", "verify", "--home", grid.clientHome])
            #expect(verify.status == 1)
            #expect(verify.stdout.contains("Equivocation: the operator signed two checkpoints"), "\(verify.stdout)")
            #expect(verify.stdout.components(separatedBy: "— \(try #require(grid.matchmakerPeer?.hex))").count == 3,
                    "both signed checkpoints are shown: \(verify.stdout)")
            // Equivocation from anywhere: the new history's checkpoint, handed to the observer's replica.
            let handed = grid.folder.file("new-checkpoint.txt")
            let newCheckpoint = try await GridRun.run(["ledger", "checkpoint", "--home", grid.matchmakerHome, "--json"])
            let text = try #require(newCheckpoint.json()?["text"] as? String)
            try text.write(toFile: handed, atomically: true, encoding: .utf8)
            let clean = try await GridRun.run(["ledger", "verify", "--home", observer])
            #expect(clean.status == 0, "\(clean.stdout)")
            let told = try await GridRun.run(["ledger", "verify", "--home", observer, "--checkpoint", handed])
            #expect(told.status == 1)
            #expect(told.stdout.contains("Equivocation: the operator signed a checkpoint of"), "\(told.stdout)")
            let again = try await grid.grid(["ledger", "sync"])
            #expect(again.status == 1 && again.stderr.contains("holds evidence"), "\(again.stderr)")
            // The entries the replica held are kept, untouched: none of the second history was taken.
            let json = try await GridRun.run(["ledger", "show", "--json", "--home", grid.clientHome])
            let entries = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
            #expect(entries?.count == before, "\(json.stdout)")
            #expect(before ?? 0 > 0)
        }
    }
}
