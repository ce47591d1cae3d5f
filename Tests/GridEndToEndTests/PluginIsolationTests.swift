import Foundation
import GridCore
import GridTestKit
import Testing

/// Plugin isolation end to end: real `grid` processes whose plugins crash, hang and exhaust memory in runners.
@Suite("Plugin isolation end to end", .serialized)
struct PluginIsolationTests {
    static let faultsC = "libGridTestPluginFaultsC.so"
    static let faultsSwift = "libGridTestPluginFaultsSwift.so"
    static let rot13 = "libGridPluginRot13.so"
    static let text = "libGridPluginText.so"

    /// Submits `capability` on `input` and waits for the result as JSON.
    static func submit(_ grid: TestGrid, _ capability: String, _ input: String = "x") async throws -> [String: Any] {
        let run = try await grid.grid(["submit", "--capability", capability, "--text", input, "--wait", "--json",
                                       "--timeout", "60"])
        return try #require(run.json(), "\(run.stdout) \(run.stderr)")
    }

    static func balance(_ grid: TestGrid, of peer: String) async throws -> Int? {
        let balances = try await GridRun.run(["ledger", "balances", "--home", grid.matchmakerHome, "--json"])
        return balances.json()?["peer:" + peer] as? Int
    }

    @Test("one worker serving Swift and C plugins survives every kind of plugin failure and serves on")
    func workerSurvivesEveryFault() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker(extra: ["--max-attempts", "1"])
            let worker = try await grid.startWorker(
                "a", plugins: [Self.faultsC, Self.faultsSwift, Self.rot13, Self.text],
                extra: ["--quarantine-crashes", "100"])
            let cases: [(String, String)] = [
                ("faults.segv", "The plugin faults-c crashed with SIGSEGV while running faults.segv."),
                ("faults.abort", "The plugin faults-c crashed with SIGABRT while running faults.abort."),
                ("faults.trap", "The plugin faults-c crashed with SIGILL while running faults.trap."),
                ("faults.exit", "The plugin faults-c exited the runner with status 0 while running faults.exit."),
                ("faults.close", "The plugin faults-c closed its runner's connection to the worker"),
                ("faults.alloc", "it reached the runner's memory limit of 1 GiB while running faults.alloc."),
                ("swiftfaults.fatal", "The plugin faults-swift crashed with SIGILL while running swiftfaults.fatal."),
            ]
            for (capability, expected) in cases {
                let json = try await Self.submit(grid, capability)
                #expect(json["status"] as? String == "failed", "\(capability): \(json)")
                let message = json["message"] as? String ?? ""
                #expect(message.contains(expected), "\(capability): \(message)")
                // The worker is still connected and serves a Swift and a C plugin at once after each failure.
                #expect(try await Self.submit(grid, "text.uppercase", "still here")["output"] as? String
                    == "STILL HERE")
            }
            #expect(try await Self.submit(grid, "text.rot13", "abc")["output"] as? String == "nop")

            // A call past its job's timeout: the runner is killed and the job fails saying so.
            let spec = grid.folder.file("hang.json")
            try #"{"capability": "faults.hang", "input": {"text": "x"}, "timeoutSeconds": 1}"#
                .write(toFile: spec, atomically: true, encoding: .utf8)
            let hung = try await grid.grid(["submit", spec, "--wait", "--json", "--timeout", "60"])
            let hungJSON = try #require(hung.json(), "\(hung.stdout) \(hung.stderr)")
            #expect((hungJSON["message"] as? String)?.contains("did not finish within 1 s; its runner was killed")
                == true, "\(hungJSON)")

            let peers = try await grid.grid(["peers", "--json"])
            #expect(peers.stdout.contains(worker.peer.hex))
            #expect(worker.process.isRunning)
            // faults.random says its output is not deterministic; the ad carries it, and `grid peers` shows it.
            #expect(peers.stdout.contains(#""deterministic":false"#), "\(peers.stdout)")
            let table = try await grid.grid(["peers"]).stdout
            #expect(table.contains("faults.random@1.0.0[nondeterministic]"), "\(table)")
            #expect(table.contains("faults.echo@1.0.0 "), "\(table)")
        }
    }

    @Test("an input that crashes runners on two workers fails as poison, is refunded, and both workers serve on")
    func poisonInputFailsAfterTwoWorkers() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            let a = try await grid.startWorker("a", plugins: [Self.faultsC])
            let b = try await grid.startWorker("b", plugins: [Self.faultsC])
            let client = try await GridRun.run(["id", "--home", grid.clientHome]).stdout
            let json = try await Self.submit(grid, "faults.segv")
            #expect(json["status"] as? String == "failed")
            #expect(json["attempts"] as? Int == 2)
            let message = json["message"] as? String ?? ""
            #expect(message.contains("crashed with SIGSEGV"), "\(message)")
            #expect(message.contains("its input crashed the plugin on 2 different workers, so it is failed as a "
                + "likely poison input"), "\(message)")
            #expect(try await Self.balance(grid, of: client) == 100)

            var served: Set<String> = []
            for n in 0..<6 {
                let echo = try await Self.submit(grid, "faults.echo", "ping \(n)")
                #expect(echo["output"] as? String == "ping \(n)")
                if let worker = echo["worker"] as? String { served.insert(worker) }
                if served.count == 2 { break }
            }
            #expect(a.process.isRunning && b.process.isRunning)
            let peers = try await grid.grid(["peers", "--json"])
            #expect(peers.stdout.contains(a.peer.hex) && peers.stdout.contains(b.peer.hex))
        }
    }

    @Test("a plugin whose runners keep crashing is quarantined: withdrawn from the ad and shown by `grid peers`")
    func crashingPluginIsQuarantined() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker(extra: ["--max-attempts", "1"])
            try await grid.startWorker("a", plugins: [Self.faultsC, Self.rot13], extra: ["--quarantine-crashes", "2"])
            for _ in 0..<2 {
                #expect(try await Self.submit(grid, "faults.abort")["status"] as? String == "failed")
            }
            // The new ad reaches the matchmaker right after the second crash's outcome.
            let deadline = ContinuousClock.now + .seconds(20)
            var listing = ""
            while ContinuousClock.now < deadline {
                listing = try await grid.grid(["peers"]).stdout
                if listing.contains("quarantined") { break }
            }
            #expect(listing.contains("quarantined faults-c"), "\(listing)")
            #expect(listing.contains("its runners crashed 2 times within 60 s"), "\(listing)")
            #expect(!listing.contains("faults.echo@"), "\(listing)")
            let json = try await grid.grid(["peers", "--json"])
            #expect(json.stdout.contains("\"quarantined\""))
            #expect(try await Self.submit(grid, "text.rot13", "abc")["output"] as? String == "nop")
            let log = grid.log("a.log")
            #expect(log.contains("plugin quarantined until the worker restarts"))
        }
    }

    @Test("--in-process runs plugins inside the worker (unsafe, for trusted plugins) and says so")
    func inProcessStillServes() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            try await grid.startWorker("a", plugins: [Self.rot13, Self.text], extra: ["--in-process"])
            #expect(try await Self.submit(grid, "text.rot13", "abc")["output"] as? String == "nop")
            #expect(try await Self.submit(grid, "text.uppercase", "abc")["output"] as? String == "ABC")
            #expect(grid.log("a.log").contains("--in-process: plugins run inside the worker"))
        }
    }
}
