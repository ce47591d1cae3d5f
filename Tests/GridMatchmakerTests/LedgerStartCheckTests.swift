import Foundation
import GRDB
import GridCore
import GridCrypto
import GridLedger
import GridTestKit
import Testing

@testable import GridMatchmaker

/// The check a matchmaker's store runs on its ledger before anything is served or written, on real SQLite files.
@Suite("Ledger check at start")
struct LedgerStartCheckTests {
    let operatorIdentity = Identity.generate()
    let submitter = Identity.generate()
    let worker = Identity.generate()

    /// A store file holding a few settled jobs, closed again; returns its path.
    func settledLedger(in folder: TemporaryFolder, jobs: Int = 3) throws -> String {
        let path = folder.file("mm.sqlite")
        let store = try MatchmakerStore(path: path, identity: operatorIdentity, grantCredits: 100)
        for index in 0..<jobs {
            let id = "job-\(index)"
            _ = try store.insert(try submission(id), from: submitter.peerID, now: 10 + Int64(index))
            _ = try store.settleSuccess(JobID(id)!, worker: worker.peerID, output: Data("ok".utf8), cost: 4,
                                        now: 20 + Int64(index))
        }
        _ = try store.checkpointIfDue(now: 100, everyEntries: 1, interval: .seconds(1))
        return path
    }

    func submission(_ id: String, maxCredits: Int = 10) throws -> Submission {
        let request = JobRequest(capability: "text.uppercase", input: Data("hi".utf8), maxCredits: maxCredits)
        let escrow = try EntryBody(kind: .escrow, from: .peer(submitter.peerID), to: .escrow(job: id),
                                   amount: Int64(maxCredits), job: id, author: submitter.peerID, timestamp: 1)
        let signature = try escrow.signed(by: submitter).signature
        return Submission(id: JobID(id)!, request: request, escrowTimestamp: 1, escrowSignature: Data(signature))
    }

    func open(_ path: String, check: LedgerCheck = .sinceVerified) throws -> MatchmakerStore {
        var grants = GrantPolicy()
        grants.amount = 100
        return try MatchmakerStore(path: path, identity: operatorIdentity, grants: grants, ledgerCheck: check)
    }

    /// Runs `sql` on the file with the append-only guards dropped, as someone editing the file would.
    func tamper(_ path: String, _ sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            for trigger in ["ledger_entries_no_update", "ledger_entries_no_delete", "ledger_tree_nodes_no_update",
                            "ledger_tree_nodes_no_delete", "ledger_checkpoints_no_update",
                            "ledger_checkpoints_no_delete"] {
                try db.execute(sql: "DROP TRIGGER IF EXISTS \(trigger)")
            }
            try db.execute(sql: sql)
        }
    }

    /// Everything in the ledger's tables, to show that a refused start wrote nothing.
    func snapshot(_ path: String) throws -> [String] {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in
            var rows: [String] = []
            for table in ["ledger_entries", "ledger_balances", "ledger_jobs", "ledger_meta", "ledger_checkpoints",
                          "ledger_tree_nodes", "jobs"] {
                rows += try Row.fetchAll(db, sql: "SELECT * FROM \(table)").map { "\(table) \($0)" }
            }
            return rows
        }
    }

    struct Tampering: CustomTestStringConvertible, Sendable {
        let name: String
        let sql: String
        let expected: String
        var testDescription: String { name }
    }

    static let tamperings: [Tampering] = [
        Tampering(name: "balance cache raised by 1,000,000",
                  sql: "UPDATE ledger_balances SET balance = balance + 1000000 WHERE account LIKE 'peer:%'",
                  expected: "The cached balance of peer:"),
        Tampering(name: "last entry deleted", sql: "DELETE FROM ledger_entries WHERE seq = (SELECT MAX(seq) FROM ledger_entries)",
                  // 13 entries: a grant, then per job an escrow, a result, a payment and a refund.
                  expected: "Entry 13 is bad: a checkpoint claims 13 entries but the ledger holds 12: entries from 13 on "
                      + "were removed"),
        Tampering(name: "an entry before the verified checkpoint edited",
                  sql: "UPDATE ledger_entries SET amount = 9 WHERE seq = 2",
                  expected: "Entry 2 is bad"),
        Tampering(name: "the verified checkpoint removed", sql: "DELETE FROM ledger_checkpoints",
                  expected: ""),
    ]

    @Test("a tampered ledger is refused at start with the first bad entry named, and nothing is written",
          arguments: tamperings)
    func tamperedIsRefused(_ tampering: Tampering) throws {
        let folder = try TemporaryFolder("grid-start-check")
        defer { folder.remove() }
        let path = try settledLedger(in: folder)
        // One clean start first, so the next one checks only since the checkpoint it records.
        _ = try open(path)
        try tamper(path, tampering.sql)
        let before = try snapshot(path)
        if tampering.expected.isEmpty {
            // Removing the checkpoints only removes what the start trusted: everything is checked, and passes.
            _ = try open(path)
            return
        }
        let error = try #require(throws: MatchmakerError.self) { try open(path) }
        #expect("\(error)".contains("failed its check, so the matchmaker will neither serve from it nor write to it"))
        #expect("\(error)".contains(tampering.expected), "\(error)")
        #expect(try snapshot(path) == before)
    }

    @Test("a raised balance cannot be spent: the start that would have allowed it is refused")
    func raisedBalanceIsNotSpent() throws {
        let folder = try TemporaryFolder("grid-start-check")
        defer { folder.remove() }
        let path = try settledLedger(in: folder)
        try tamper(path, "UPDATE ledger_balances SET balance = balance + 1000000 WHERE account = 'peer:\(submitter.peerID.hex)'")
        let error = try #require(throws: MatchmakerError.self) { try open(path) }
        #expect("\(error)".contains("The cached balance of peer:\(submitter.peerID.hex) is 1000"), "\(error)")
        #expect("\(error)".contains("but the entries give 88."), "\(error)")
    }

    @Test("a clean start records the checkpoint it verified; the next start trusts signatures up to it")
    func startRecordsWhatItVerified() throws {
        let folder = try TemporaryFolder("grid-start-check")
        defer { folder.remove() }
        let path = try settledLedger(in: folder)
        let store = try open(path)
        let (verified, size) = try store.database.read { db in
            (try Ledger.verifiedSize(in: db), try Ledger.treeSize(in: db))
        }
        #expect(verified == Int64(size))
        let scoped = try store.database.read { db in
            LedgerVerifier.verify(in: db, operator: operatorIdentity.peerID, scope: .since(verified ?? 0))
        }
        #expect(scoped.isValid, "\(scoped)")
        #expect(scoped.coveredSignatures == Int(size), "every signature is trusted up to the verified checkpoint")
        let full = try store.database.read { db in
            LedgerVerifier.verify(in: db, operator: operatorIdentity.peerID, scope: .full)
        }
        #expect(full.isValid)
        // Only the operator's entries are covered by its checkpoint; the three escrows are checked.
        #expect(full.coveredSignatures == Int(size) - 3)
        // --verify-ledger full opens the same file.
        _ = try open(path, check: .full)
    }

    @Test("a tree node edited before the verified checkpoint is trusted at a default start, found by a full check")
    func nodeBeforeMarkNeedsFullCheck() throws {
        let folder = try TemporaryFolder("grid-start-check")
        defer { folder.remove() }
        let path = try settledLedger(in: folder)
        _ = try open(path)
        try tamper(path, "UPDATE ledger_tree_nodes SET hash = zeroblob(32) WHERE level = 0 AND idx = 0")
        _ = try open(path)
        let error = try #require(throws: MatchmakerError.self) { try open(path, check: .full) }
        #expect("\(error)".contains("Entry 1 is bad: its Merkle tree node (level 0, index 0) does not match"),
                "\(error)")
    }

    @Test("a verified mark pointing past the ledger or at no checkpoint falls back to checking everything")
    func badMarkChecksEverything() throws {
        let folder = try TemporaryFolder("grid-start-check")
        defer { folder.remove() }
        let path = try settledLedger(in: folder)
        _ = try open(path)
        try tamper(path, "UPDATE ledger_meta SET value = '999' WHERE key = 'verified'")
        _ = try open(path)
        try tamper(path, "UPDATE ledger_meta SET value = '999' WHERE key = 'verified'")
        // An escrow's signature swapped for another's: caught, since nothing is trusted.
        try tamper(path, "UPDATE ledger_entries SET signature = (SELECT signature FROM ledger_entries WHERE seq = 1) "
            + "WHERE seq = 2")
        let error = try #require(throws: MatchmakerError.self) { try open(path) }
        #expect("\(error)".contains("Entry 2 is bad"), "\(error)")
    }
}
