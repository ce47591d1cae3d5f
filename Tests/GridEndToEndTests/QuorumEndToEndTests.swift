import Foundation
import GridCore
import GridTestKit
import Testing

/// Redundancy and quorum end to end: three real workers, one of them running a plugin that lies.
@Suite("Quorum end to end", .serialized)
struct QuorumEndToEndTests {
    static let faultsC = "libGridTestPluginFaultsC.so"
    static let liar = "libGridTestPluginLiarC.so"

    @Test("with redundancy 3 and quorum 2, two honest workers outvote a liar: it is not paid, its standing and the ledger record it, and the receipt proves the output")
    func liarIsOutvoted() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            let a = try await grid.startWorker("a", plugins: [Self.faultsC])
            let b = try await grid.startWorker("b", plugins: [Self.faultsC])
            let c = try await grid.startWorker("c", plugins: [Self.liar])
            let run = try await grid.grid(["submit", "--capability", "faults.echo", "--text", "truth",
                                           "--redundancy", "3", "--quorum", "2", "--max-credits", "5",
                                           "--wait", "--json", "--timeout", "60"])
            let job = try #require(run.json(), "\(run.stdout) \(run.stderr)")
            #expect(job["status"] as? String == "succeeded", "\(job)")
            #expect(job["output"] as? String == "truth")
            #expect(job["credits"] as? Int == 2, "each honest worker is paid its price of 1")
            #expect(job["maxCredits"] as? Int == 15, "the escrow covers three runs of at most 5")
            #expect(job["attempts"] as? Int == 3, "a redundant job counts the attempts of all its runs")
            let id = try #require(job["job"] as? String)

            // The ledger: a result per run with its verdict, payments to the two honest workers only, the rest refunded.
            let show = try await GridRun.run(["ledger", "show", "--job", id, "--home", grid.matchmakerHome, "--json"])
            let parsed = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [[String: Any]]
            let entries = try #require(parsed, "\(show.stderr)")
            var verdicts: [String: String] = [:]
            var paid: [String: Int] = [:]
            var refunded = 0
            for entry in entries {
                let to = entry["to"] as? String ?? ""
                switch entry["kind"] as? String {
                case "result":
                    let result = try #require(entry["result"] as? [String: Any])
                    verdicts[to] = result["verdict"] as? String
                    #expect(result["plugin"] as? String == (to == "peer:" + c.peer.hex ? "liar-c" : "faults-c"))
                    #expect((result["outputSHA256"] as? String)?.count == 64)
                case "payment": paid[to] = entry["amount"] as? Int
                case "refund": refunded += entry["amount"] as? Int ?? 0
                default: break
                }
            }
            #expect(verdicts == ["peer:" + a.peer.hex: "accepted", "peer:" + b.peer.hex: "accepted",
                                 "peer:" + c.peer.hex: "disagreed"])
            #expect(paid == ["peer:" + a.peer.hex: 1, "peer:" + b.peer.hex: 1])
            #expect(refunded == 13)

            // Standing: the liar's disagreement shows in `grid peers`.
            let peers = try await grid.grid(["peers", "--json"])
            let list = try #require(try JSONSerialization.jsonObject(with: Data(peers.stdout.utf8)) as? [[String: Any]])
            var standings: [String: [String: Any]] = [:]
            for info in list {
                if let peer = info["peer"] as? String { standings[peer] = info["standing"] as? [String: Any] }
            }
            #expect(standings[c.peer.hex]?["disagreed"] as? Int == 1)
            #expect(standings[c.peer.hex]?["done"] as? Int == 0)
            #expect(standings[a.peer.hex]?["done"] as? Int == 1)

            // A job that refuses workers that ever disagreed now runs on the honest ones only.
            let picky = try await grid.grid(["submit", "--capability", "faults.echo", "--text", "again",
                                             "--requirements", "worker.disagreements == 0", "--wait", "--json",
                                             "--timeout", "60"])
            let pickyJob = try #require(picky.json(), "\(picky.stderr)")
            #expect(pickyJob["status"] as? String == "succeeded")
            #expect(pickyJob["worker"] as? String != c.peer.hex)

            // The receipt proves the accepted output; another file is refused.
            let deadline = ContinuousClock.now + .seconds(30)
            var receipt = try await GridRun.run(["ledger", "prove", id, "--home", grid.matchmakerHome])
            while receipt.status != 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))  // the next checkpoint is signed within a second
                receipt = try await GridRun.run(["ledger", "prove", id, "--home", grid.matchmakerHome])
            }
            #expect(receipt.status == 0, "\(receipt.stderr)")
            let receiptFile = grid.folder.file("receipt.json")
            let truth = grid.folder.file("truth.txt")
            let lie = grid.folder.file("lie.txt")
            try receipt.stdout.write(toFile: receiptFile, atomically: true, encoding: .utf8)
            try "truth".write(toFile: truth, atomically: true, encoding: .utf8)
            try "!hturt".write(toFile: lie, atomically: true, encoding: .utf8)
            let good = try await GridRun.run(["ledger", "check-proof", receiptFile, "--output", truth])
            #expect(good.status == 0, "\(good.stdout) \(good.stderr)")
            #expect(good.stdout.contains("is the accepted output"))
            let bad = try await GridRun.run(["ledger", "check-proof", receiptFile, "--output", lie])
            #expect(bad.status != 0)
            #expect(bad.stderr.contains("is not the output the ledger accepted for job \(id)"))

            let verify = try await GridRun.run(["ledger", "verify", "--home", grid.matchmakerHome])
            #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        }
    }

    @Test("a job asking for redundancy on a capability that says it is not deterministic is refused with the reason")
    func nondeterministicRefused() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            _ = try await grid.startWorker("a", plugins: [Self.faultsC])
            let run = try await grid.grid(["submit", "--capability", "faults.random", "--text", "x",
                                           "--redundancy", "2", "--wait", "--json", "--timeout", "60"])
            #expect(run.status != 0)
            #expect(run.stderr.contains("capability 'faults.random' says its output is not deterministic (plugin "
                                        + "faults-c 1.0.0 on worker"), "\(run.stderr)")
            #expect(run.stderr.contains("so a job cannot ask for redundancy on it"))
            let once = try await grid.grid(["submit", "--capability", "faults.random", "--text", "x", "--wait", "--json",
                                            "--timeout", "60"])
            #expect(once.json()?["status"] as? String == "succeeded", "run once, it is fine: \(once.stderr)")
        }
    }

    @Test("a quorum that cannot form fails the job, listing every worker's output digest, and refunds everything")
    func noQuorumFails() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker(extra: ["--queue-timeout", "3"])
            _ = try await grid.startWorker("a", plugins: [Self.faultsC])
            _ = try await grid.startWorker("c", plugins: [Self.liar])
            let run = try await grid.grid(["submit", "--capability", "faults.echo", "--text", "x",
                                           "--redundancy", "2", "--quorum", "2", "--wait", "--json", "--timeout", "60"])
            let job = try #require(run.json(), "\(run.stdout) \(run.stderr)")
            #expect(job["status"] as? String == "failed", "\(job)")
            #expect(job["credits"] as? Int == 0)
            let message = job["message"] as? String ?? ""
            #expect(message.contains("no 2 outputs agreed"), "\(message)")
            #expect(message.contains("output sha256 2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"),
                    "the honest output's digest (sha256 of \"x\") is listed: \(message)")
        }
    }
}
