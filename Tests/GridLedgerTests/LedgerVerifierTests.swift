import GRDB
import GridCore
import GridCrypto
import Testing
@testable import GridLedger

@Suite("Ledger verification")
struct LedgerVerifierTests {
    let fixture = Fixture()

    /// One way of editing the file, the seq verification must blame (nil = the file as a whole) and why.
    struct Tampering: CustomTestStringConvertible, Sendable {
        let name: String
        let sql: String
        let seq: Int64?
        let reason: String
        var testDescription: String { name }
    }

    /// The schema's CHECK constraints are no defence against a tamperer, who can turn them off.
    static let unchecked = "PRAGMA ignore_check_constraints = ON; "

    static let tamperings: [Tampering] = [
        Tampering(name: "edited amount", sql: "UPDATE ledger_entries SET amount = 29 WHERE seq = 3",
                  seq: 3, reason: "signature is not a valid signature"),
        Tampering(name: "edited memo", sql: "UPDATE ledger_entries SET memo = 'thanks' WHERE seq = 5",
                  seq: 5, reason: "signature is not a valid signature"),
        Tampering(name: "edited signature",
                  sql: "UPDATE ledger_entries SET signature = zeroblob(64) WHERE seq = 4",
                  seq: 4, reason: "signature is not a valid signature"),
        Tampering(name: "signature moved from another entry",
                  sql: "UPDATE ledger_entries SET signature = (SELECT signature FROM ledger_entries WHERE seq = 1) "
                      + "WHERE seq = 2",
                  seq: 2, reason: "signature is not a valid signature"),
        Tampering(name: "edited previous hash",
                  sql: "UPDATE ledger_entries SET prev_hash = zeroblob(32) WHERE seq = 5",
                  seq: 5, reason: "previous hash is not the hash of entry 4"),
        Tampering(name: "edited stored hash", sql: "UPDATE ledger_entries SET hash = zeroblob(32) WHERE seq = 2",
                  seq: 2, reason: "stored hash is not the hash of its content"),
        Tampering(name: "deleted row", sql: "DELETE FROM ledger_entries WHERE seq = 4",
                  seq: 4, reason: "it is missing; the next stored entry is 5"),
        Tampering(name: "deleted first row", sql: "DELETE FROM ledger_entries WHERE seq = 1",
                  seq: 1, reason: "it is missing"),
        Tampering(name: "deleted last row", sql: "DELETE FROM ledger_entries WHERE seq = 7",
                  seq: 7, reason: "entries from 7 on were removed"),
        Tampering(name: "swapped seq of two rows", sql: """
            UPDATE ledger_entries SET seq = 1000 WHERE seq = 3;
            UPDATE ledger_entries SET seq = 3 WHERE seq = 4;
            UPDATE ledger_entries SET seq = 4 WHERE seq = 1000;
            """, seq: 3, reason: "previous hash is not the hash of entry 2"),
        Tampering(name: "amount that is not a number", sql: "UPDATE ledger_entries SET amount = 'ten' WHERE seq = 6",
                  seq: 6, reason: "the amount is not an integer"),
        Tampering(name: "unknown account", sql: "UPDATE ledger_entries SET to_account = 'bank' WHERE seq = 2",
                  seq: 2, reason: "the to_account is invalid"),
        Tampering(name: "author that is not hex",
                  sql: "UPDATE ledger_entries SET author = 'zz' || substr(author, 3) WHERE seq = 3",
                  seq: 3, reason: "the author is not 64 lower-case hex digits"),
        Tampering(name: "author stored as a blob",
                  sql: "UPDATE ledger_entries SET author = CAST(author AS BLOB) WHERE seq = 3",
                  seq: 3, reason: "the author is not text"),
        Tampering(name: "peer account that is not hex",
                  sql: "UPDATE ledger_entries SET to_account = 'peer:zz' || substr(to_account, 8) WHERE seq = 2",
                  seq: 2, reason: "the to_account is invalid"),
        Tampering(name: "short signature",
                  sql: unchecked + "UPDATE ledger_entries SET signature = zeroblob(63) WHERE seq = 4",
                  seq: 4, reason: "the signature is not a 64-byte blob"),
        Tampering(name: "result stored as text",
                  sql: unchecked + "UPDATE ledger_entries SET result = 'done' WHERE seq = 4",
                  seq: 4, reason: "the result is neither a blob nor NULL"),
        Tampering(name: "cached submitter that is not hex",
                  sql: unchecked + "UPDATE ledger_jobs SET submitter = 'alice' WHERE job = 'job-1'",
                  seq: nil, reason: "the cached submitter of job job-1 is not 64 lower-case hex digits"),
        Tampering(name: "cached payee that is not hex",
                  sql: "UPDATE ledger_jobs SET payees = payees || ',abc' WHERE job = 'job-1'",
                  seq: nil, reason: "a cached payee of job job-1 is not 64 lower-case hex digits"),
        Tampering(name: "author in upper-case hex",
                  sql: "UPDATE ledger_entries SET author = upper(author) WHERE seq = 3",
                  seq: 3, reason: "the author is not 64 lower-case hex digits"),
        Tampering(name: "peer account in upper-case hex",
                  sql: "UPDATE ledger_entries SET to_account = 'peer:' || upper(substr(to_account, 6)) WHERE seq = 2",
                  seq: 2, reason: "the to_account is invalid"),
        // GRDB reads text up to its first NUL; the verifier reads all of a value's bytes.
        Tampering(name: "account with a NUL and more after it",
                  sql: "UPDATE ledger_entries SET to_account = to_account || char(0) || 'junk' WHERE seq = 2",
                  seq: 2, reason: "the to_account is invalid"),
        Tampering(name: "job id with a NUL and more after it",
                  sql: "UPDATE ledger_entries SET job = job || char(0) || 'junk' WHERE seq = 3",
                  seq: 3, reason: "control characters"),
        Tampering(name: "empty signature proof",
                  sql: unchecked + "UPDATE ledger_entries SET signature_proof = X'' WHERE seq = 3",
                  seq: 3, reason: "the signature proof is an empty blob"),
        Tampering(name: "cached payees with an empty one",
                  sql: "UPDATE ledger_jobs SET payees = payees || ',' WHERE job = 'job-1'",
                  seq: nil, reason: "a cached payee of job job-1 is not 64 lower-case hex digits"),
        Tampering(name: "cached balance row written in upper-case hex", sql: """
            UPDATE ledger_balances SET account = 'peer:' || upper(substr(account, 6)) WHERE account = (
                SELECT account FROM ledger_balances WHERE account LIKE 'peer:%' ORDER BY account LIMIT 1);
            """, seq: nil, reason: "so the store would not find it"),
        Tampering(name: "cached job id with a NUL and more after it",
                  sql: "UPDATE ledger_jobs SET job = job || char(0) || 'x' WHERE job = 'job-1'",
                  seq: nil, reason: "job job-1"),
        Tampering(name: "cached job row repeated in a table rebuilt without its key, another's removed", sql: """
            CREATE TABLE jobs_copy AS SELECT * FROM ledger_jobs;
            DROP TABLE ledger_jobs;
            ALTER TABLE jobs_copy RENAME TO ledger_jobs;
            INSERT INTO ledger_jobs SELECT * FROM ledger_jobs WHERE job = 'job-1';
            DELETE FROM ledger_jobs WHERE job = 'job-2';
            """, seq: nil, reason: "The settlement cache holds job job-1 twice."),
        Tampering(name: "edited cached balance",
                  sql: "UPDATE ledger_balances SET balance = 1000 WHERE account = 'mint'",
                  seq: nil, reason: "The cached balance of mint is 1000 but the entries give -150."),
        Tampering(name: "deleted cached job", sql: "DELETE FROM ledger_jobs WHERE job = 'job-2'",
                  seq: nil, reason: "The cached settlement of job job-2 does not match the entries."),
        Tampering(name: "an account's cached row spelled twice, another's removed", sql: """
            INSERT INTO ledger_balances (account, balance)
                SELECT 'peer:' || upper(substr(account, 6)), balance FROM ledger_balances
                WHERE account LIKE 'peer:%' ORDER BY account LIMIT 1;
            DELETE FROM ledger_balances WHERE account = 'escrow:job-2';
            """, seq: nil, reason: "twice"),
        Tampering(name: "replaced operator",
                  sql: "UPDATE ledger_meta SET value = '\(String(repeating: "ab", count: 32))' WHERE key = 'operator'",
                  seq: nil, reason: "records peer abababab as its operator"),
    ]

    @Test("A clean ledger verifies, with its balances replayed")
    func clean() async throws {
        try await withLedger(fixture) { store in
            let empty = try await store.verify()
            #expect(empty.isValid && empty.verifiedCount == 0 && empty.headHash == nil)
            let appended = try await store.append(contentsOf: try fixture.history())
            let result = try await store.verify()
            #expect(result.isValid, "\(result)")
            #expect(result.verifiedCount == 7)
            #expect(result.headHash == appended.last?.hash)
            #expect(result.sheet.balances == (try await store.balances()))
        }
    }

    @Test("Editing, deleting or reordering rows names the first bad entry", arguments: tamperings)
    func tampered(_ tampering: Tampering) async throws {
        try await withLedger(fixture) { store in
            try await store.append(contentsOf: try fixture.history())
            try await tamper(store, tampering.sql)
            let result = try await store.verify()
            #expect(!result.isValid)
            let failure = try #require(result.failure)
            #expect(failure.seq == tampering.seq, "\(failure)")
            #expect(failure.reason.contains(tampering.reason), "\(failure)")
            if let seq = tampering.seq {
                #expect(result.verifiedCount == seq - 1)
            }
        }
    }

    @Test("A cached job id in another Unicode normalisation is refused: Swift's strings call it equal, SQLite does not")
    func cachedJobInAnotherNormalisation() async throws {
        try await withLedger(fixture) { store in
            let accented = try fixture.escrow(10, job: "j\u{e9}", by: fixture.alice)
            try await store.append(contentsOf: try fixture.history() + [accented])
            #expect(try await store.verify().isValid)
            try await tamper(store, "UPDATE ledger_jobs SET job = 'je' || char(769) WHERE job = 'j' || char(233)")
            let result = try await store.verify()
            #expect(result.failure?.seq == nil)
            #expect(result.failure?.reason.contains("writes job j\u{e9} as") == true,
                    "\(String(describing: result.failure))")
        }
    }

    @Test("A ledger of several batches verifies, and a bad entry in a later batch is named while others are in flight")
    func severalBatches() async throws {
        try await withLedger(fixture) { store in
            let grants = try (0..<9_000).map { try fixture.grant(1, to: fixture.alice.peerID, at: Int64($0)) }
            try await store.append(contentsOf: grants)
            let clean = try await store.verify()
            #expect(clean.isValid && clean.verifiedCount == 9_000, "\(clean)")
            try await tamper(store, "UPDATE ledger_entries SET amount = 2 WHERE seq = 5000")
            let result = try await store.verify()
            #expect(result.failure?.seq == 5_000, "\(result)")
            #expect(result.verifiedCount == 4_999)
        }
    }

    @Test("A ledger verified against another operator fails, as does a rule broken inside the file")
    func operatorAndRules() async throws {
        try await withLedger(fixture) { store in
            try await store.append(contentsOf: try fixture.history())
            let stranger = Identity.generate().peerID
            let result = try await store.database.read { db in LedgerVerifier.verify(in: db, operator: stranger) }
            #expect(result.failure?.seq == nil)
            #expect(result.failure?.reason.contains("not peer \(stranger.short)") == true)

            // A validly signed escrow that overdraws, slipped into the file by raw SQL, is caught by the rules.
            let overdraw = try fixture.escrow(500, job: "sneaky", by: fixture.bob)
            let head = try #require(try await store.head())
            let entry = LedgerEntry(seq: head.seq + 1, signed: overdraw, prevHash: head.hash)
            try await store.database.write { db in try Rows.insert(entry, in: db) }
            let broken = try await store.verify()
            #expect(broken.failure?.seq == 8)
            #expect(broken.failure?.reason.contains("has 50 credits and cannot escrow 500") == true)
        }
    }
}
