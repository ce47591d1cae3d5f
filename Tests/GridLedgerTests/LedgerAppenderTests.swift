import GRDB
import GridCore
import GridCrypto
import GridMerkle
import Testing

@testable import GridLedger

/// `LedgerAppender` keeps the head, the tree's edge and balances between appends; these tests make sure what it keeps
/// never outlives the ledger it describes.
@Suite("Ledger appender")
struct LedgerAppenderTests {
    let fixture = Fixture()

    /// A fresh ledger file (the ledger's migrations only) in `folder`.
    func ledgerFile(_ folder: TemporaryFolder, _ name: String) throws -> DatabaseQueue {
        let queue = try DatabaseQueue(path: folder.path(name))
        var migrator = DatabaseMigrator()
        LedgerSchema.registerMigrations(in: &migrator)
        try migrator.migrate(queue)
        return queue
    }

    /// A fresh ledger file with 10 credits granted to alice through a new appender; runs `body`, then removes it.
    func withGrantedAlice(_ body: (DatabaseQueue, LedgerAppender, Identity) throws -> Void) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let queue = try ledgerFile(folder, "ledger.sqlite")
        let appender = LedgerAppender(operator: fixture.operatorID)
        _ = try queue.write { db in try appender.append(try fixture.grant(10, to: fixture.alice.peerID), in: db) }
        try body(queue, appender, fixture.alice)
    }

    /// The file's entries, root, balances and a full verification.
    func state(_ queue: DatabaseQueue) throws -> (entries: [LedgerEntry], root: MerkleHash, balances: [Account: Int64],
                                                  verification: LedgerVerification) {
        let operatorID = fixture.operatorID
        return try queue.read { db in
            let size = try Ledger.treeSize(in: db)
            return (try Ledger.entries(after: 0, limit: 1_000, in: db), try Ledger.root(atSize: size, in: db),
                    try Ledger.balances(in: db), LedgerVerifier.verify(in: db, operator: operatorID))
        }
    }

    @Test("an appender stores the same entries, tree and balances as appending one call at a time without it")
    func sameAsStaticPath() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let plain = try ledgerFile(folder, "plain.sqlite")
        let cached = try ledgerFile(folder, "cached.sqlite")
        let appender = LedgerAppender(operator: fixture.operatorID)
        let history = try fixture.history()
        for (index, signed) in history.enumerated() {
            _ = try plain.write { db in try Ledger.append(signed, operator: fixture.operatorID, in: db) }
            if index == 4 {
                // Two in one call, as a settlement appends its payment and refund.
                _ = try cached.write { db in try appender.append(contentsOf: [signed, history[5]], in: db) }
            } else if index != 5 {
                _ = try cached.write { db in try appender.append(signed, in: db) }
            }
        }
        let expected = try state(plain)
        let got = try state(cached)
        #expect(got.entries == expected.entries)
        #expect(got.root == expected.root)
        #expect(got.balances == expected.balances)
        #expect(got.verification.failure == nil)
    }

    @Test("an append rolled back with its savepoint or its transaction is forgotten: its credits are spendable again")
    func rolledBackAppends() throws {
        try withGrantedAlice { queue, appender, alice in
            // The escrow is appended, then its savepoint is rolled back, as the group-commit writer does for an
            // operation that throws after its escrow.
            try queue.write { db in
                try db.inSavepoint {
                    try appender.append(try fixture.escrow(10, job: "gone-1", by: alice), in: db)
                    return .rollback
                }
            }
            // The whole transaction fails after the escrow.
            struct Abandon: Error {}
            #expect(throws: Abandon.self) {
                try queue.write { db in
                    try appender.append(try fixture.escrow(10, job: "gone-2", by: alice), in: db)
                    throw Abandon()
                }
            }
            // Alice's 10 credits are all still hers: an appender that remembered either escrow would refuse this one.
            _ = try queue.write { db in try appender.append(try fixture.escrow(10, job: "kept", by: alice), in: db) }

            let got = try state(queue)
            #expect(got.entries.map(\.body.job) == [nil, "kept"])
            #expect(got.balances[.peer(alice.peerID)] == 0)
            #expect(got.balances[.escrow(job: "kept")] == 10)
            #expect(got.verification.failure == nil)
        }
    }

    @Test("a refused append leaves nothing behind, and entries appended by another path in between are seen")
    func refusalsAndOtherWriters() throws {
        try withGrantedAlice { queue, appender, alice in
            #expect(throws: LedgerError.self) {
                try queue.write { db in
                    try appender.append(try fixture.escrow(11, job: "too-much", by: alice), in: db)
                }
            }
            try queue.write { db in
                try appender.append(try fixture.grant(5, to: fixture.bob.peerID), in: db)
                try appender.append(try fixture.escrow(1, job: "j0", by: alice), in: db)
            }
            // Another writer (the plain path) escrows; the appender must chain after it and see the balance it left.
            _ = try queue.write { db in
                try Ledger.append(try fixture.escrow(4, job: "j1", by: alice), operator: fixture.operatorID, in: db)
            }
            #expect(throws: LedgerError.self) {
                try queue.write { db in try appender.append(try fixture.escrow(6, job: "j2", by: alice), in: db) }
            }
            try queue.write { db in
                try appender.append(try fixture.escrow(5, job: "j2", by: alice), in: db)
                try appender.append(try fixture.payment(4, job: "j1", to: fixture.worker.peerID), in: db)
            }

            let got = try state(queue)
            #expect(got.entries.map(\.seq) == [1, 2, 3, 4, 5, 6])
            #expect(got.balances[.peer(alice.peerID)] == 0)
            #expect(got.balances[.peer(fixture.worker.peerID)] == 4)
            #expect(got.verification.failure == nil)
        }
    }

    @Test("a rolled-back append replaced at the same seq by another writer's entry is noticed by its hash")
    func sameSeqOtherEntry() throws {
        try withGrantedAlice { queue, appender, alice in
            // The appender's escrow (seq 2) is rolled back with its transaction after the appender kept its state...
            struct Abandon: Error {}
            #expect(throws: Abandon.self) {
                try queue.write { db in
                    try appender.append(try fixture.escrow(10, job: "gone", by: alice), in: db)
                    throw Abandon()
                }
            }
            // ...and another writer puts a different entry at seq 2: the head's seq is what the appender left.
            _ = try queue.write { db in
                try Ledger.append(try fixture.grant(3, to: fixture.bob.peerID), operator: fixture.operatorID, in: db)
            }
            _ = try queue.write { db in try appender.append(try fixture.escrow(10, job: "kept", by: alice), in: db) }

            let got = try state(queue)
            #expect(got.entries.map(\.body.job) == [nil, nil, "kept"])
            #expect(got.balances[.peer(alice.peerID)] == 0 && got.balances[.peer(fixture.bob.peerID)] == 3)
            #expect(got.verification.failure == nil)
        }
    }

    @Test("a batch refused at its second entry keeps nothing of its first, neither in the file nor in the appender")
    func refusedBatchKeepsNothing() throws {
        try withGrantedAlice { queue, appender, alice in
            #expect(throws: LedgerError.self) {
                try queue.write { db in
                    try appender.append(contentsOf: [try fixture.escrow(5, job: "a", by: alice),
                                                     try fixture.escrow(50, job: "b", by: alice)], in: db)
                }
            }
            _ = try queue.write { db in try appender.append(try fixture.escrow(10, job: "c", by: alice), in: db) }
            let got = try state(queue)
            #expect(got.entries.map(\.body.job) == [nil, "c"])
            #expect(got.verification.failure == nil)
        }
    }

    @Test("a refused first append on a new file leaves it unclaimed, so another operator may still take it")
    func refusedFirstAppendClaimsNothing() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let queue = try ledgerFile(folder, "ledger.sqlite")
        let appender = LedgerAppender(operator: fixture.operatorID)
        try queue.write { db in
            // Refused (alice has nothing), inside a transaction the caller goes on to commit.
            _ = try? appender.append(try fixture.escrow(1, job: "j", by: fixture.alice), in: db)
        }
        let claimed = try queue.read { db in try LedgerSchema.operatorID(in: db) }
        #expect(claimed == nil)
    }

    @Test("the balances kept between appends are bounded: past the limit the appender starts again from the file")
    func balanceCacheBounded() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let queue = try ledgerFile(folder, "ledger.sqlite")
        let appender = LedgerAppender(operator: fixture.operatorID)
        // 4,096 distinct peers: key bytes alternate the index's low and high byte.
        let grants = try (0..<BalanceCache.limit).map { index in
            try EntryBody(kind: .grant, from: .mint, to: .peer(PeerID(publicKey: (0..<32).map {
                UInt8(truncatingIfNeeded: index >> (8 * ($0 % 2)))
            })), amount: 1, author: fixture.operatorID, timestamp: 1).signed(by: fixture.operatorIdentity)
        }
        _ = try queue.write { db in try appender.append(contentsOf: Array(grants.prefix(10)), in: db) }
        #expect(appender.cachedBalances == 11, "the mint and ten peers")
        _ = try queue.write { db in try appender.append(contentsOf: Array(grants.dropFirst(10)), in: db) }
        #expect(appender.cachedBalances == 0, "the mint and 4,096 peers are past the limit")
        _ = try queue.write { db in try appender.append(try fixture.grant(4, to: fixture.alice.peerID), in: db) }
        #expect(appender.cachedBalances == 2)
        let got = try state(queue)
        #expect(got.balances[.mint] == -Int64(BalanceCache.limit) - 4)
        #expect(got.verification.failure == nil)
    }

    @Test("an appender refuses to append for another operator than the file's")
    func otherOperator() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let queue = try ledgerFile(folder, "ledger.sqlite")
        _ = try queue.write { db in
            try Ledger.append(try fixture.grant(10, to: fixture.alice.peerID), operator: fixture.operatorID, in: db)
        }
        let stranger = LedgerAppender(operator: fixture.bob.peerID)
        #expect(throws: LedgerError.self) {
            try queue.write { db in try stranger.append(try fixture.grant(1, to: fixture.alice.peerID), in: db) }
        }
    }
}
