import Foundation
import GRDB
import GridCore
import GridTestKit
import Testing

/// End-to-end tests: real `grid` processes talking over loopback TCP on ports chosen at run time.
@Suite("End to end", .serialized)
struct GridEndToEndTests {
    static let hash = "libGridPluginHash.so"
    static let primes = "libGridPluginPrimes.so"
    static let text = "libGridPluginText.so"
    static let rot13 = "libGridPluginRot13.so"

    @Test("a job is routed to the only worker that offers its capability")
    func routesByUniqueCapability() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            let a = try await grid.startWorker("a", plugins: [Self.hash, Self.text])
            let b = try await grid.startWorker("b", plugins: [Self.primes])

            let primes = try await grid.grid(["submit", "--capability", "primes.count", "--text", "1000", "--wait", "--json"])
            #expect(primes.status == 0, "\(primes.stderr)")
            let primesJSON = try #require(primes.json())
            #expect(primesJSON["status"] as? String == "succeeded")
            #expect(primesJSON["output"] as? String == "168")
            #expect(primesJSON["worker"] as? String == b.peer.hex)
            #expect(primesJSON["capability"] as? String == "primes.count")
            #expect(primesJSON["job"] as? String != nil)
            #expect(primesJSON["credits"] as? Int != nil)

            let hash = try await grid.grid(["submit", "--capability", "hash.sha256", "--text", "abc", "--wait", "--json"])
            let hashJSON = try #require(hash.json())
            #expect(hashJSON["worker"] as? String == a.peer.hex)
            #expect(hashJSON["output"] as? String == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")

            let plain = try await grid.grid(["submit", "--capability", "text.uppercase", "--text", "shout", "--wait"])
            #expect(plain.status == 0)
            #expect(plain.stdout == "SHOUT")
        }
    }

    @Test("a spec file from Jobs/ runs and `status`, `result`, `jobs` and `peers` report it")
    func specFileAndQueries() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            try await grid.startWorker("a", plugins: [Self.rot13])
            let spec = Self.repositoryRoot + "/Jobs/rot13.json"
            let submitted = try await grid.grid(["submit", spec, "--wait", "--json"])
            #expect(submitted.status == 0, "\(submitted.stderr)")
            let job = try #require(submitted.json()?["job"] as? String)
            #expect(submitted.json()?["output"] as? String == "Uryyb sebz n P cyhtva")

            let status = try await grid.grid(["status", job, "--json"])
            #expect(status.json()?["status"] as? String == "succeeded")
            let result = try await grid.grid(["result", job])
            #expect(result.stdout == "Uryyb sebz n P cyhtva")
            let jobs = try await grid.grid(["jobs"])
            #expect(jobs.stdout.contains(job))

            // Another peer sees the job's state but neither its output nor it in its own listing.
            let stranger = ["--home", grid.folder.file("stranger"), "--matchmaker", grid.matchmakerAddress]
            let peek = try await GridRun.run(["status", job, "--json"] + stranger)
            #expect(peek.json()?["status"] as? String == "succeeded")
            #expect(peek.json()?["output"] == nil)
            let theirs = try await GridRun.run(["jobs", "--json"] + stranger)
            #expect(theirs.stdout == "[]")
            let peers = try await grid.grid(["peers"])
            #expect(peers.stdout.contains("text.rot13@1.0.0"))

            // A pinned matchmaker identity must match what the handshake proves.
            let pinned = try #require(grid.matchmakerPeer?.hex)
            let right = try await grid.grid(["jobs", "--matchmaker-id", pinned])
            #expect(right.status == 0, "\(right.stderr)")
            let wrong = try await grid.grid(["jobs", "--matchmaker-id", String(repeating: "cd", count: 32)])
            #expect(wrong.status != 0)
            #expect(wrong.stderr.contains("handshake"), "\(wrong.stderr)")
        }
    }

    @Test("a job nobody can run waits, and --timeout names the capability and what is on offer")
    func waitsWithClearTimeout() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            try await grid.startWorker("a", plugins: [Self.hash])
            let run = try await grid.grid(["submit", "--capability", "image.thumbnail", "--text", "x", "--wait",
                                           "--timeout", "1"])
            #expect(run.status != 0)
            #expect(run.stderr.contains("image.thumbnail"))
            #expect(run.stderr.contains("hash.sha256"))
            #expect(run.stderr.contains("still queued"))

            // Only its submitter may withdraw the waiting job, once; the escrow comes back.
            let listing = try await grid.grid(["jobs", "--json"]).stdout
            let jobs = try JSONSerialization.jsonObject(with: Data(listing.utf8)) as? [[String: Any]]
            let job = try #require(jobs?.first?["job"] as? String)
            let stranger = try await GridRun.run(["cancel", job, "--home", grid.folder.file("stranger"),
                                                  "--matchmaker", grid.matchmakerAddress])
            #expect(stranger.status != 0)
            #expect(stranger.stderr.contains("only the submitter"))
            let cancel = try await grid.grid(["cancel", job])
            #expect(cancel.status == 0, "\(cancel.stderr)")
            #expect(cancel.stdout.contains("cancelled"))
            let again = try await grid.grid(["cancel", job])
            #expect(again.stderr.contains("already cancelled"))
            let status = try await grid.grid(["status", job, "--json"])
            #expect(status.json()?["status"] as? String == "cancelled")
        }
    }

    @Test("a job no worker takes fails after its queue timeout, says why it waited, and is refunded")
    func queueTimeout() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker(extra: ["--queue-timeout", "2"])
            try await grid.startWorker("a", plugins: [Self.hash])
            // Its own queue timeout (1 s), warned about at submit time.
            let own = try await grid.grid(["submit", "--capability", "image.thumbnail", "--text", "x",
                                           "--queue-timeout", "1", "--max-credits", "9", "--wait", "--json"])
            #expect(own.status != 0)
            #expect(own.stderr.contains("warning: no connected worker offers capability 'image.thumbnail'"),
                    "\(own.stderr)")
            let json = try #require(own.json(), "\(own.stdout) \(own.stderr)")
            #expect(json["status"] as? String == "failed")
            #expect(json["attempts"] as? Int == 0)
            let message = json["message"] as? String ?? ""
            #expect(message.hasPrefix("no worker took it within its queue timeout of 1 s"), "\(message)")
            #expect(message.contains("no connected worker offers capability 'image.thumbnail'"), "\(message)")
            #expect(message.contains("hash.sha256"), "\(message)")
            // The matchmaker's default (2 s), without --wait: the submit says it will wait, then it fails.
            let plain = try await grid.grid(["submit", "--capability", "image.thumbnail", "--text", "y"])
            #expect(plain.status == 0)
            #expect(plain.stderr.contains("fails with its credits refunded after the matchmaker's queue timeout"))
            let later = try await grid.grid(["result", plain.stdout, "--wait", "30", "--json"])
            #expect(later.json()?["status"] as? String == "failed")
            #expect((later.json()?["message"] as? String)?.contains("queue timeout of 2 s") == true, "\(later.stdout)")
            // A capability on offer gets no warning.
            let offered = try await grid.grid(["submit", "--capability", "hash.sha256", "--text", "z", "--wait"])
            #expect(offered.status == 0)
            #expect(!offered.stderr.contains("warning"))

            _ = await grid.stopMatchmaker()
            let client = try await GridRun.run(["id", "--home", grid.clientHome]).stdout
            let balances = try await GridRun.run(["ledger", "balances", "--home", grid.matchmakerHome, "--json"])
            let table = try #require(balances.json(), "\(balances.stdout) \(balances.stderr)")
            let paid = 100 - (table["peer:" + client] as? Int ?? 0)
            #expect(paid >= 0 && paid <= 10, "only the hash job is paid for: \(table)")
            let verify = try await GridRun.run(["ledger", "verify", "--home", grid.matchmakerHome])
            #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        }
    }

    @Test("ledger balances add up after a run, and `ledger verify` passes")
    func ledgerAfterRun() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            let worker = try await grid.startWorker("a", plugins: [Self.text])
            for word in ["one", "two", "three"] {
                let run = try await grid.grid(["submit", "--capability", "text.uppercase", "--text", word, "--wait",
                                               "--max-credits", "5"])
                #expect(run.status == 0, "\(run.stderr)")
            }
            let client = try await GridRun.run(["id", "--home", grid.clientHome]).stdout
            let balances = try await GridRun.run(["ledger", "balances", "--home", grid.matchmakerHome, "--json"])
            #expect(balances.status == 0, "\(balances.stderr)")
            let table = try #require(balances.json())
            let clientBalance = try #require(table["peer:" + client] as? Int)
            let workerBalance = try #require(table["peer:" + worker.peer.hex] as? Int)
            // Every peer starts with 100; what the client paid, the worker earned.
            #expect(clientBalance < 100)
            #expect(clientBalance + workerBalance == 200)
            let verify = try await GridRun.run(["ledger", "verify", "--home", grid.matchmakerHome])
            #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
            let pinned = try await GridRun.run(["ledger", "verify", "--home", grid.matchmakerHome,
                                                "--operator", try #require(grid.matchmakerPeer?.hex)])
            #expect(pinned.status == 0)
            let impostor = try await GridRun.run(["ledger", "verify", "--home", grid.matchmakerHome,
                                                  "--operator", worker.peer.hex])
            #expect(impostor.status != 0)
            #expect(impostor.stderr.contains("operated by peer"))
        }
    }

    @Test("bad input fails a job at once with the plugin's reason, and the escrow comes back")
    func badInputFailsAtOnce() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            try await grid.startWorker("a", plugins: [Self.primes])
            let run = try await grid.grid(["submit", "--capability", "primes.count", "--text", "many", "--wait", "--json"])
            #expect(run.status != 0)
            let json = try #require(run.json(), "\(run.stdout) \(run.stderr)")
            #expect(json["status"] as? String == "failed")
            #expect(json["attempts"] as? Int == 1)
            #expect((json["message"] as? String)?.contains("rejected its input") == true, "\(json)")
            let client = try await GridRun.run(["id", "--home", grid.clientHome]).stdout
            let balances = try await GridRun.run(["ledger", "balances", "--home", grid.matchmakerHome, "--json"])
            #expect(balances.json()?["peer:" + client] as? Int == 100)
        }
    }

    @Test("a queued job survives a matchmaker restart and runs once a worker arrives")
    func queuedJobSurvivesRestart() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            let submitted = try await grid.grid(["submit", "--capability", "text.wordcount", "--text", "one two three"])
            #expect(submitted.status == 0, "\(submitted.stderr)")
            let job = submitted.stdout
            #expect(await grid.stopMatchmaker() == 0)

            try await grid.startMatchmaker()
            try await grid.startWorker("late", plugins: [Self.text])
            let result = try await grid.grid(["result", job, "--wait", "30"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "3")
            let verify = try await GridRun.run(["ledger", "verify", "--home", grid.matchmakerHome])
            #expect(verify.status == 0, "\(verify.stdout)")
        }
    }

    @Test("`submit --wait` rides out a matchmaker restart and gets its result")
    func waitSurvivesMatchmakerRestart() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            let port = grid.port
            async let waiting = grid.grid(["submit", "--capability", "text.uppercase", "--text", "again", "--wait",
                                           "--timeout", "60"])
            // Once the job is stored, restart the matchmaker on the same port, then bring a worker.
            let deadline = ContinuousClock.now + .seconds(20)
            var stored = false
            while !stored && ContinuousClock.now < deadline {
                stored = (try await grid.grid(["jobs"]).stdout.contains("text.uppercase"))
                if !stored { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(stored)
            #expect(await grid.stopMatchmaker() == 0)
            try await grid.startMatchmaker(port: port)
            try await grid.startWorker("a", plugins: [Self.text])
            let run = try await waiting
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout == "AGAIN")
        }
    }

    @Test("a submitter without enough credits gets a clear refusal and nothing is stored")
    func refusesOverdraft() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            let run = try await grid.grid(["submit", "--capability", "text.uppercase", "--text", "x",
                                           "--max-credits", "150"])
            #expect(run.status != 0)
            #expect(run.stderr.contains("has 100 credits and cannot escrow 150"), "\(run.stderr)")
            let jobs = try await grid.grid(["jobs", "--json"])
            #expect(jobs.stdout == "[]")
        }
    }

    @Test("editing a ledger row in the SQLite file makes `ledger verify` fail naming the entry")
    func tamperedLedgerFailsVerification() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            try await grid.startWorker("a", plugins: [Self.text])
            let run = try await grid.grid(["submit", "--capability", "text.wordcount", "--text", "a b c", "--wait"])
            #expect(run.status == 0, "\(run.stderr)")
            _ = await grid.stopMatchmaker()

            let clean = try await GridRun.run(["ledger", "verify", "--home", grid.matchmakerHome])
            #expect(clean.status == 0, "\(clean.stdout) \(clean.stderr)")
            let queue = try DatabaseQueue(path: grid.ledgerPath)
            try await queue.write { db in
                // The schema's append-only triggers stop honest mistakes; an attacker drops them first.
                try db.execute(sql: "DROP TRIGGER IF EXISTS ledger_entries_no_update")
                try db.execute(sql: "UPDATE ledger_entries SET amount = amount + 50 WHERE seq = 2")
            }
            let tampered = try await GridRun.run(["ledger", "verify", "--home", grid.matchmakerHome])
            #expect(tampered.status != 0)
            #expect((tampered.stdout + tampered.stderr).contains("Entry 2 is bad"))
        }
    }

    @Test("garbage bytes and a bad handshake do not take the matchmaker down")
    func badPeersDoNotTakeDownTheMatchmaker() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            try RawSocket.sendAndClose(port: grid.port, bytes: Array("GET / HTTP/1.1\r\n\r\n".utf8))
            try RawSocket.sendAndClose(port: grid.port, bytes: [0, 0, 0, 8] + Array("PGRDxxxx".utf8))
            try RawSocket.sendAndClose(port: grid.port, bytes: [0xff, 0xff, 0xff, 0xff] + [UInt8](repeating: 7, count: 64))
            try RawSocket.sendAndClose(port: grid.port, bytes: [])
            try await grid.startWorker("a", plugins: [Self.hash])
            let run = try await grid.grid(["submit", "--capability", "hash.blake2b", "--text", "still up", "--wait"])
            #expect(run.status == 0, "\(run.stderr) \(grid.log("matchmaker.log"))")
            #expect(run.stdout.count == 64)
        }
    }

    @Test("a worker killed mid-job does not lose the job: another worker with the capability finishes it")
    func workerKilledMidJob() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            let doomed = try await grid.startWorker("doomed", plugins: [Self.primes])
            let submitted = try await grid.grid(["submit", "--capability", "primes.count", "--text", "50000000"])
            #expect(submitted.status == 0, "\(submitted.stderr)")
            let job = submitted.stdout

            // Poll (with a deadline) until the job is running on the doomed worker, then kill it.
            let deadline = ContinuousClock.now + .seconds(20)
            var running = false
            while ContinuousClock.now < deadline {
                let status = try await grid.grid(["status", job, "--json"]).json()
                if status?["status"] as? String == "running", status?["worker"] as? String == doomed.peer.hex {
                    running = true
                    break
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(running)
            await grid.kill("doomed")
            let rescuer = try await grid.startWorker("rescuer", plugins: [Self.primes])
            let result = try await grid.grid(["result", job, "--wait", "120", "--json"])
            let json = try #require(result.json(), "\(result.stdout) \(result.stderr)")
            #expect(json["status"] as? String == "succeeded")
            #expect(json["worker"] as? String == rescuer.peer.hex)
            #expect(json["output"] as? String == "3001134")
            #expect(json["attempts"] as? Int == 2)
        }
    }

    @Test("a matchmaker killed while a job runs its last attempt fails the job once after restart and refunds it")
    func matchmakerKilledDuringLastAttempt() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker(extra: ["--max-attempts", "1"])
            let port = grid.port
            let worker = try await grid.startWorker("a", plugins: [Self.primes])
            let submitted = try await grid.grid(["submit", "--capability", "primes.count", "--text", "50000000",
                                                 "--max-credits", "7"])
            #expect(submitted.status == 0, "\(submitted.stderr)")
            let job = submitted.stdout
            let deadline = ContinuousClock.now + .seconds(20)
            var running = false
            while !running && ContinuousClock.now < deadline {
                let status = try await grid.grid(["status", job, "--json"]).json()
                running = status?["status"] as? String == "running" && status?["worker"] as? String == worker.peer.hex
                if !running { try await Task.sleep(for: .milliseconds(20)) }
            }
            try #require(running, "the job never ran: \(grid.log("matchmaker.log"))")
            #expect(await grid.killMatchmaker() != 0)

            try await grid.startMatchmaker(port: port, extra: ["--max-attempts", "1"])
            let result = try await grid.grid(["result", job, "--wait", "30", "--json"])
            let json = try #require(result.json(), "\(result.stdout) \(result.stderr)")
            #expect(json["status"] as? String == "failed")
            #expect(json["attempts"] as? Int == 1)
            #expect((json["message"] as? String)?.contains("the matchmaker stopped while attempt 1 ran") == true,
                    "\(json)")

            // A second restart finds nothing left to settle: one refund, balances whole, the ledger clean.
            #expect(await grid.stopMatchmaker() == 0)
            try await grid.startMatchmaker(port: port, extra: ["--max-attempts", "1"])
            #expect(try await grid.grid(["status", job, "--json"]).json()?["status"] as? String == "failed")
            #expect(await grid.stopMatchmaker() == 0)
            let client = try await GridRun.run(["id", "--home", grid.clientHome]).stdout
            let balances = try await GridRun.run(["ledger", "balances", "--home", grid.matchmakerHome, "--json"])
            let table = try #require(balances.json(), "\(balances.stdout) \(balances.stderr)")
            #expect(table["peer:" + client] as? Int == 100)
            #expect(table["escrow:" + job] == nil || table["escrow:" + job] as? Int == 0, "\(table)")
            let entries = try await DatabaseQueue(path: grid.ledgerPath).read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger_entries WHERE kind = 'refund' AND job = ?",
                                 arguments: [job]) ?? -1
            }
            #expect(entries == 1)
            let verify = try await GridRun.run(["ledger", "verify", "--home", grid.matchmakerHome])
            #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        }
    }

    @Test("a matchmaker killed while a job runs with attempts left requeues it after restart, and it succeeds")
    func matchmakerKilledWithAttemptsLeft() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            let port = grid.port
            let worker = try await grid.startWorker("a", plugins: [Self.primes])
            let submitted = try await grid.grid(["submit", "--capability", "primes.count", "--text", "50000000"])
            #expect(submitted.status == 0, "\(submitted.stderr)")
            let job = submitted.stdout
            let deadline = ContinuousClock.now + .seconds(20)
            var running = false
            while !running && ContinuousClock.now < deadline {
                let status = try await grid.grid(["status", job, "--json"]).json()
                running = status?["status"] as? String == "running" && status?["worker"] as? String == worker.peer.hex
                if !running { try await Task.sleep(for: .milliseconds(20)) }
            }
            try #require(running, "the job never ran: \(grid.log("matchmaker.log"))")
            #expect(await grid.killMatchmaker() != 0)

            try await grid.startMatchmaker(port: port)
            let result = try await grid.grid(["result", job, "--wait", "120", "--json"])
            let json = try #require(result.json(), "\(result.stdout) \(result.stderr)")
            #expect(json["status"] as? String == "succeeded", "\(json)")
            #expect(json["output"] as? String == "3001134")
            #expect(json["attempts"] as? Int == 2)
            #expect(await grid.stopMatchmaker() == 0)
            let verify = try await GridRun.run(["ledger", "verify", "--home", grid.matchmakerHome])
            #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        }
    }

    @Test("requirements pick the worker with the right label; --accept lets a worker refuse jobs")
    func requirementsAndAccept() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            try await grid.startWorker("eu", plugins: [Self.text], extra: ["--label", "zone=eu"])
            let us = try await grid.startWorker("us", plugins: [Self.text], extra: ["--label", "zone=us"])
            let picky = try await grid.startWorker("picky", plugins: [Self.hash],
                                                   extra: ["--accept", "job.max_credits >= 20"])
            let routed = try await grid.grid(["submit", "--capability", "text.uppercase", "--text", "x", "--wait",
                                              "--json", "--requirements", #"labels.zone == "us""#])
            #expect(routed.json()?["worker"] as? String == us.peer.hex, "\(routed.stderr)")

            let refused = try await grid.grid(["submit", "--capability", "hash.sha256", "--text", "x", "--wait",
                                               "--timeout", "1"])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("refuses it"), "\(refused.stderr)")
            let accepted = try await grid.grid(["submit", "--capability", "hash.sha256", "--text", "x", "--wait",
                                                "--json", "--max-credits", "20"])
            #expect(accepted.json()?["worker"] as? String == picky.peer.hex, "\(accepted.stderr)")

            let bad = try await grid.grid(["submit", "--capability", "text.uppercase", "--text", "x",
                                           "--requirements", "cores >"])
            #expect(bad.status != 0)
            #expect(bad.stderr.contains("requirements"))
            #expect(bad.stderr.contains("^"))
        }
    }

    @Test("the matchmaker signs checkpoints; `ledger prove` makes a receipt that `ledger check-proof` verifies")
    func receiptsVerifyOffline() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            try await grid.startWorker("a", plugins: [Self.text])
            let run = try await grid.grid(["submit", "--capability", "text.uppercase", "--text", "paid", "--wait", "--json"])
            let job = try #require(run.json()?["job"] as? String, "\(run.stderr)")
            let operatorID = try #require(grid.matchmakerPeer?.hex)

            // The matchmaker signs a checkpoint within a second of new entries; poll with a deadline.
            var prove = try await GridRun.run(["ledger", "prove", job, "--home", grid.matchmakerHome])
            let deadline = ContinuousClock.now + .seconds(10)
            while prove.status != 0 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                prove = try await GridRun.run(["ledger", "prove", job, "--home", grid.matchmakerHome])
            }
            #expect(prove.status == 0, "\(prove.stderr)")
            let receipt = grid.folder.file("receipt.json")
            try Data(prove.stdout.utf8).write(to: URL(fileURLWithPath: receipt))

            let check = try await GridRun.run(["ledger", "check-proof", receipt, "--operator", operatorID])
            #expect(check.status == 0, "\(check.stderr)")
            #expect(check.stdout.contains("valid: 4 entries for job \(job)"), "escrow, result, payment and refund")
            #expect(check.stdout.contains("result, accepted on worker"))
            #expect(check.stdout.contains("payment"))
            let wrongOperator = try await GridRun.run(["ledger", "check-proof", receipt, "--operator", String(repeating: "ab", count: 32)])
            #expect(wrongOperator.status != 0)

            var forged = prove.stdout
            forged = forged.replacingOccurrences(of: "\"seq\" : ", with: "\"seq\" : 1")
            try Data(forged.utf8).write(to: URL(fileURLWithPath: receipt))
            let bad = try await GridRun.run(["ledger", "check-proof", receipt])
            #expect(bad.status != 0)
            #expect(bad.stderr.contains("not valid"))

            let checkpoint = try await GridRun.run(["ledger", "checkpoint", "--home", grid.matchmakerHome])
            #expect(checkpoint.stdout.hasPrefix("peergrid/ledger/\(operatorID)"))
        }
    }

    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }
}
