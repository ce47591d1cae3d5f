import Foundation
import GRDB
import GridCore
import GridCrypto
import Testing
@testable import GridLedger

@Suite("Ledger store")
struct LedgerStoreTests {
    let fixture = Fixture()

    @Test("Appended entries are numbered from 1 and chained by hash")
    func chain() async throws {
        try await withLedger(fixture) { store in
            var appended: [LedgerEntry] = []
            for signed in try fixture.history() {
                appended.append(try await store.append(signed))
            }
            #expect(appended.map(\.seq) == Array(1...7))
            #expect(appended[0].prevHash == LedgerEntry.genesisHash)
            for (previous, entry) in zip(appended, appended.dropFirst()) {
                #expect(entry.prevHash == previous.hash)
            }
            for entry in appended {
                #expect(entry.hash == entry.computedHash)
                #expect(try await store.entry(seq: entry.seq) == entry)
            }
            let head = try #require(try await store.head())
            #expect(head == Ledger.Head(seq: 7, hash: appended[6].hash))
        }
    }

    @Test("Balances follow the entries")
    func balances() async throws {
        try await withLedger(fixture) { store in
            try await store.append(contentsOf: try fixture.history())
            let balances = try await store.balances()
            #expect(balances[.mint] == -150)
            #expect(balances[.peer(fixture.alice.peerID)] == 75)
            #expect(balances[.peer(fixture.bob.peerID)] == 50)
            #expect(balances[.peer(fixture.worker.peerID)] == 25)
            #expect(balances[.escrow(job: "job-1")] == 0)
            #expect(try await store.balance(of: .peer(Identity.generate().peerID)) == 0)
            let job = try #require(try await store.settlement(ofJob: "job-2"))
            #expect(job.refunded == 20 && job.paid == nil)
        }
    }

    @Test("A refused entry names the rule and writes nothing")
    func refusal() async throws {
        try await withLedger(fixture) { store in
            try await store.append(try fixture.grant(7, to: fixture.alice.peerID))
            let short = fixture.alice.peerID.short
            await #expect {
                try await store.append(try fixture.escrow(10, job: "j", by: fixture.alice))
            } throws: { error in
                "\(error)" == "Peer \(short) has 7 credits and cannot escrow 10."
            }
            #expect(try await store.head()?.seq == 1)
            #expect(try await store.balance(of: .peer(fixture.alice.peerID)) == 7)
            #expect(try await store.settlement(ofJob: "j") == nil)
        }
    }

    @Test("An entry whose signature does not match is refused")
    func badSignature() async throws {
        try await withLedger(fixture) { store in
            let genuine = try fixture.grant(5, to: fixture.alice.peerID)
            var signature = genuine.signature
            signature[10] ^= 0xff
            await #expect {
                try await store.append(SignedEntry(body: genuine.body, signature: signature))
            } throws: { error in
                "\(error)".contains("not a valid signature by its author")
            }
            let forged = try EntryBody(
                kind: .grant, from: .mint, to: .peer(fixture.bob.peerID), amount: 5, author: fixture.operatorID,
                timestamp: 1)
            await #expect(throws: LedgerError.self) {
                try await store.append(SignedEntry(body: forged, signature: fixture.bob.sign(forged.canonicalBytes)))
            }
            #expect(try await store.head() == nil)
        }
    }

    @Test("A batch is appended whole or not at all, naming the refused entry")
    func batch() async throws {
        try await withLedger(fixture) { store in
            var entries = try fixture.history()
            entries.insert(try fixture.escrow(1_000, job: "big", by: fixture.bob), at: 4)
            await #expect {
                try await store.append(contentsOf: entries)
            } throws: { error in
                (error as? LedgerError)?.batchIndex == 4 && "\(error)".contains("Entry 5 of 8 in the batch")
            }
            #expect(try await store.head() == nil)
            #expect(try await store.balances().isEmpty)

            // Large batches check signatures in parallel; a bad one is still named by its position.
            var many = try (0..<200).map { try fixture.grant(1, to: fixture.alice.peerID, at: Int64($0)) }
            many[150] = SignedEntry(body: many[150].body, signature: [UInt8](repeating: 7, count: 64))
            await #expect {
                try await store.append(contentsOf: many)
            } throws: { error in
                (error as? LedgerError)?.batchIndex == 150
            }
            many[150] = try fixture.grant(1, to: fixture.alice.peerID)
            let received = many.map { SignedEntry(body: $0.body, signature: $0.signature) }
            let appended = try await store.append(contentsOf: received)
            #expect(appended.last?.seq == 200)
            #expect(try await store.balance(of: .peer(fixture.alice.peerID)) == 200)
            #expect(try await store.verify().isValid)
        }
    }

    @Test("Entries can be paged and looked up by job")
    func queries() async throws {
        try await withLedger(fixture) { store in
            try await store.append(contentsOf: try fixture.history())
            #expect(try await store.entries(after: 0, limit: 3).map(\.seq) == [1, 2, 3])
            #expect(try await store.entries(after: 5, limit: 10).map(\.seq) == [6, 7])
            #expect(try await store.entries(after: 7, limit: 10).isEmpty)
            #expect(try await store.entries(forJob: "job-1").map(\.body.kind) == [.escrow, .payment, .refund])
            #expect(try await store.entries(forJob: "nope").isEmpty)
            #expect(try await store.entry(seq: 99) == nil)
            await #expect(throws: LedgerError.self) { try await store.entries(after: 0, limit: -1) }
        }
    }

    @Test("A file keeps its operator, and reopening checks it")
    func reopen() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("ledger.sqlite")
        do {
            let store = try LedgerStore(path: path, operator: fixture.operatorID)
            try await store.append(contentsOf: try fixture.history())
        }
        let reopened = try LedgerStore(existingAt: path)
        #expect(reopened.operatorID == fixture.operatorID)
        #expect(try await reopened.verify().verifiedCount == 7)

        let stranger = Identity.generate().peerID
        #expect {
            try LedgerStore(path: path, operator: stranger)
        } throws: { error in
            "\(error)" == "This ledger is operated by peer \(fixture.operatorID.short), not by peer \(stranger.short)."
        }
        #expect {
            try LedgerStore(existingAt: folder.path("missing.sqlite"))
        } throws: { error in
            "\(error)".contains("missing.sqlite is not a usable ledger: no such file")
        }
        let other = folder.path("other.sqlite")
        let otherQueue = try DatabaseQueue(path: other)
        try otherQueue.inDatabase { db in try db.execute(sql: "CREATE TABLE t (x)") }
        #expect {
            try LedgerStore(existingAt: other)
        } throws: { error in
            "\(error)".contains("other.sqlite is not a usable ledger: it has no ledger tables")
        }
        let garbage = folder.path("garbage.sqlite")
        try Data(repeating: 0x42, count: 4096).write(to: URL(fileURLWithPath: garbage))
        #expect {
            try LedgerStore(existingAt: garbage)
        } throws: { error in
            "\(error)".contains("garbage.sqlite is not a usable ledger")
        }
    }

    @Test("Stored entries cannot be updated or deleted through SQL without dropping the guards")
    func appendOnly() async throws {
        try await withLedger(fixture) { store in
            try await store.append(contentsOf: try fixture.history())
            await #expect(throws: DatabaseError.self) {
                try await store.database.write { db in try db.execute(sql: "UPDATE ledger_entries SET amount = 1") }
            }
            await #expect(throws: DatabaseError.self) {
                try await store.database.write { db in try db.execute(sql: "DELETE FROM ledger_entries") }
            }
        }
    }

    @Test("A job row and its escrow commit or roll back together in the caller's transaction")
    func sharedTransaction() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let queue = try DatabaseQueue(path: folder.path("matchmaker.sqlite"))
        var migrator = DatabaseMigrator()
        migrator.registerMigration("jobs.v1") { db in
            try db.execute(sql: "CREATE TABLE jobs (id TEXT PRIMARY KEY NOT NULL)")
        }
        LedgerSchema.registerMigrations(in: &migrator)
        try migrator.migrate(queue)

        let operatorID = fixture.operatorID
        let grant = try fixture.grant(10, to: fixture.alice.peerID)
        let good = try fixture.escrow(10, job: "j1", by: fixture.alice)
        let tooMuch = try fixture.escrow(10, job: "j2", by: fixture.alice)
        try queue.write { db in
            try Ledger.append(grant, operator: operatorID, in: db)
            try db.execute(sql: "INSERT INTO jobs (id) VALUES ('j1')")
            try Ledger.append(good, operator: operatorID, in: db)
        }
        #expect(throws: LedgerError.self) {
            try queue.write { db in
                try db.execute(sql: "INSERT INTO jobs (id) VALUES ('j2')")
                try Ledger.append(tooMuch, operator: operatorID, in: db)
            }
        }
        let (jobs, escrowed, verification) = try queue.read { db in
            (try String.fetchAll(db, sql: "SELECT id FROM jobs"), try Ledger.balance(of: .escrow(job: "j1"), in: db),
             LedgerVerifier.verify(in: db, operator: operatorID))
        }
        #expect(jobs == ["j1"])
        #expect(escrowed == 10)
        #expect(verification.isValid)
        let store = try LedgerStore(database: queue, operator: operatorID)
        #expect(store.operatorID == operatorID)
    }
}
