import Foundation
import GRDB
import GridCore
import GridCrypto
import GridNet
import GridTestKit
import Logging
import Testing

/// The ledger's guards with real `grid` processes: the check a matchmaker runs before it serves, grant policies that
/// cannot be farmed, and the operator's signed grants and transfers.
@Suite("Ledger guards end to end", .serialized)
struct LedgerGuardTests {
    static let text = "libGridPluginText.so"

    /// The rows of the ledger's tables, to show a refused start wrote nothing.
    static func ledgerRows(_ path: String) throws -> [String] {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in
            var rows: [String] = []
            for table in ["ledger_entries", "ledger_balances", "ledger_jobs", "ledger_meta", "ledger_checkpoints",
                          "ledger_tree_nodes"] {
                rows += try Row.fetchAll(db, sql: "SELECT * FROM \(table)").map { "\(table) \($0)" }
            }
            return rows
        }
    }

    static func edit(_ path: String, _ sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            // The append-only triggers stop honest mistakes; someone editing the file drops them first.
            try db.execute(sql: "DROP TRIGGER IF EXISTS ledger_entries_no_delete")
            try db.execute(sql: sql)
        }
    }

    /// `grid matchmaker` on `home` until it exits (it should refuse to start).
    static func refusedStart(_ grid: TestGrid, extra: [String] = []) async throws -> GridRun {
        try await GridRun.run(["matchmaker", "--home", grid.matchmakerHome, "--listen", "127.0.0.1:0"] + extra,
                              limit: 120)
    }

    @Test("a matchmaker refuses a ledger whose balance was raised or whose last entry was removed, and writes nothing")
    func tamperedLedgerIsRefusedAtStart() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            try await grid.startWorker("a", plugins: [Self.text])
            for word in ["one", "two"] {
                let run = try await grid.grid(["submit", "--capability", "text.uppercase", "--text", word, "--wait",
                                               "--max-credits", "30"])
                #expect(run.status == 0, "\(run.stderr)")
            }
            await grid.kill("a")
            #expect(await grid.stopMatchmaker() == 0)
            let client = try await GridRun.run(["id", "--home", grid.clientHome]).stdout

            // The first attack: a balance cache raised by 1,000,000 in the file.
            try Self.edit(grid.ledgerPath,
                          "UPDATE ledger_balances SET balance = balance + 1000000 WHERE account = 'peer:\(client)'")
            var before = try Self.ledgerRows(grid.ledgerPath)
            var run = try await Self.refusedStart(grid)
            #expect(run.status == 1)
            #expect(run.stderr.contains("failed its check, so the matchmaker will neither serve from it nor write to it"),
                    "\(run.stderr)")
            #expect(run.stderr.contains("The cached balance of peer:\(client) is 1000"), "\(run.stderr)")
            #expect(try Self.ledgerRows(grid.ledgerPath) == before)
            run = try await Self.refusedStart(grid, extra: ["--verify-ledger", "full"])
            #expect(run.status == 1 && run.stderr.contains("The cached balance of peer:\(client)"), "\(run.stderr)")

            // Put the balance back: the matchmaker starts and serves again.
            try Self.edit(grid.ledgerPath,
                          "UPDATE ledger_balances SET balance = balance - 1000000 WHERE account = 'peer:\(client)'")
            try await grid.startMatchmaker()
            let overdraft = try await grid.grid(["submit", "--capability", "text.uppercase", "--text", "x",
                                                 "--max-credits", "500000"])
            #expect(overdraft.status != 0 && overdraft.stderr.contains("cannot escrow 500000"), "\(overdraft.stderr)")
            #expect(await grid.stopMatchmaker() == 0)

            // The second: the last entry deleted, which used to make every later append fail inside SQLite.
            try Self.edit(grid.ledgerPath, "DELETE FROM ledger_entries WHERE seq = (SELECT MAX(seq) FROM ledger_entries)")
            before = try Self.ledgerRows(grid.ledgerPath)
            run = try await Self.refusedStart(grid)
            #expect(run.status == 1)
            #expect(run.stderr.contains("on were removed"), "\(run.stderr)")
            #expect(!run.stderr.contains("SQLite error"), "\(run.stderr)")
            #expect(try Self.ledgerRows(grid.ledgerPath) == before)
        }
    }

    @Test("with --grant-policy none nobody is granted; the operator grants and moves credits with signed entries")
    func operatorGrantsAndTransfers() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker(extra: ["--grant-policy", "none"])
            let worker = try await grid.startWorker("a", plugins: [Self.text])
            let client = try await GridRun.run(["id", "--home", grid.clientHome]).stdout
            var run = try await grid.grid(["submit", "--capability", "text.uppercase", "--text", "x",
                                           "--max-credits", "5"])
            #expect(run.status != 0)
            #expect(run.stderr.contains("has 0 credits and cannot escrow 5"), "\(run.stderr)")

            // The operator grants, with the matchmaker running.
            run = try await GridRun.run(["ledger", "grant", client, "40", "--memo", "pilot", "--home", grid.matchmakerHome])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.contains("granted 40 credits to peer \(String(client.prefix(8)))"), "\(run.stdout)")
            run = try await grid.grid(["submit", "--capability", "text.uppercase", "--text", "x", "--wait",
                                       "--max-credits", "5"])
            #expect(run.status == 0, "\(run.stderr)")

            // A transfer moves credits between peers; one larger than the balance is refused and writes nothing.
            run = try await GridRun.run(["ledger", "transfer", "--from", client, "--to", worker.peer.hex, "10",
                                         "--home", grid.matchmakerHome])
            #expect(run.status == 0, "\(run.stderr)")
            run = try await GridRun.run(["ledger", "transfer", "--from", client, "--to", worker.peer.hex, "1000",
                                         "--home", grid.matchmakerHome])
            #expect(run.status == 1)
            #expect(run.stderr.contains("cannot transfer 1000"), "\(run.stderr)")

            // Only the operator's identity may sign them.
            run = try await GridRun.run(["ledger", "grant", client, "40", "--home", grid.clientHome,
                                         "--file", grid.ledgerPath])
            #expect(run.status == 1)
            #expect(run.stderr.contains("run this with the matchmaker's --home"), "\(run.stderr)")

            let show = try await GridRun.run(["ledger", "show", "--json", "--home", grid.matchmakerHome])
            let entries = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [[String: Any]])
            let kinds = entries.compactMap { $0["kind"] as? String }
            #expect(kinds.first == "grant" && kinds.contains("transfer"), "\(kinds)")
            #expect(!entries.contains { ($0["memo"] as? String) == "welcome grant" }, "no welcome grant under none")
            let balances = try await GridRun.run(["ledger", "balances", "--json", "--home", grid.matchmakerHome])
            let table = try #require(balances.json())
            let clientBalance = try #require(table["peer:" + client] as? Int)
            let workerBalance = try #require(table["peer:" + worker.peer.hex] as? Int)
            #expect(clientBalance + workerBalance == 40)
            #expect(workerBalance >= 10)
            let verify = try await GridRun.run(["ledger", "verify", "--home", grid.matchmakerHome])
            #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        }
    }

    /// Registers `identity` as a worker whose ad offers `capabilities`; returns the credits the matchmaker granted.
    static func register(_ grid: TestGrid, as identity: Identity, capabilities: [CapabilityOffer]) async throws -> Int {
        var logger = Logger(label: "farmer")
        logger.logLevel = .critical
        let ad = WorkerAd(capabilities: capabilities,
                          attributes: WorkerAttributes(cores: 1, memoryGB: 1, os: "linux", arch: "x86_64", labels: [:]),
                          slots: 1)
        return try await GridConnector.connect(
            host: "127.0.0.1", port: grid.port, identity: identity, expectedPeer: grid.matchmakerPeer, logger: logger
        ) { connection in
            try await connection.send(MessageCodec.encode(.register(ad)))
            guard let bytes = try await connection.receive() else { return -1 }
            guard case .registered(let granted) = try MessageCodec.decode(bytes) else { return -2 }
            return granted
        }
    }

    @Test("farming is stopped: workers offering nothing earn nothing, and the period's cap holds for many identities")
    func grantsCannotBeFarmed() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker(extra: ["--grant", "100", "--grant-cap", "300", "--grant-period", "3600"])
            var empty = 0
            for _ in 0..<5 {
                empty += try await Self.register(grid, as: Identity.generate(), capabilities: [])
            }
            #expect(empty == 0)
            let offer = CapabilityOffer(name: "text.uppercase", version: SemanticVersion(1, 0, 0), description: "",
                                    cost: 1, plugin: "text")
            var granted: [Int] = []
            for _ in 0..<5 {
                granted.append(try await Self.register(grid, as: Identity.generate(), capabilities: [offer]))
            }
            #expect(granted == [100, 100, 100, 0, 0])
            // The cap outlives a restart: it is kept in the file.
            let port = grid.port
            #expect(await grid.stopMatchmaker() == 0)
            try await grid.startMatchmaker(port: port, extra: ["--grant", "100", "--grant-cap", "300"])
            #expect(try await Self.register(grid, as: Identity.generate(), capabilities: [offer]) == 0)
            #expect(grid.log("matchmaker.log").contains("welcome grant cap reached"))
        }
    }

    @Test("an allow-list grants only the listed peers; bad policy flags are refused with the flag named")
    func allowListAndFlags() async throws {
        try await TestGrid.run { grid in
            let listed = Identity.generate()
            let list = grid.folder.file("grantees")
            try "# pilot users\n\(listed.peerID.hex)\n".write(toFile: list, atomically: true, encoding: .utf8)
            try await grid.startMatchmaker(extra: ["--grant-policy", "allow-list", "--grant-allow", list])
            let offer = CapabilityOffer(name: "text.uppercase", version: SemanticVersion(1, 0, 0), description: "",
                                    cost: 1, plugin: "text")
            #expect(try await Self.register(grid, as: listed, capabilities: [offer]) == 100)
            #expect(try await Self.register(grid, as: Identity.generate(), capabilities: [offer]) == 0)

            var run = try await GridRun.run(["matchmaker", "--home", grid.folder.file("other"), "--grant-policy",
                                             "allow-list"])
            #expect(run.status != 0 && run.stderr.contains("--grant-allow FILE goes with --grant-policy allow-list"),
                    "\(run.stderr)")
            run = try await GridRun.run(["matchmaker", "--home", grid.folder.file("other"), "--grant-policy", "lottery"])
            #expect(run.status != 0 && run.stderr.contains("--grant-policy must be open, allow-list or none"),
                    "\(run.stderr)")
            run = try await GridRun.run(["matchmaker", "--home", grid.folder.file("other"), "--verify-ledger", "some"])
            #expect(run.status != 0 && run.stderr.contains("--verify-ledger must be since-checkpoint or full"),
                    "\(run.stderr)")
        }
    }
}
