import Foundation
import GRDB
import GridCore
import GridCrypto
import GridMerkle
import Testing

@testable import GridLedger

/// The ledger's Merkle tree and checkpoints, on real SQLite files.
@Suite("Ledger Merkle tree")
struct LedgerMerkleTests {
    let fixture = Fixture()

    /// The root a reference in-memory tree gives over the entries' leaf bytes.
    func referenceRoot(_ entries: [LedgerEntry], size: Int) throws -> MerkleHash {
        var tree = CompactMerkleTree()
        for entry in entries.prefix(size) { try tree.append(entry.leafBytes) }
        return tree.root
    }

    @Test("every entry becomes a leaf: the stored tree's root at every size matches a reference tree")
    func rootsMatchReference() async throws {
        try await withLedger(fixture) { store in
            var appended: [LedgerEntry] = []
            for batch in try fixture.history().chunked(3) {
                appended += try await store.append(contentsOf: batch)
            }
            let all = appended
            let expected = try (0...all.count).map { try referenceRoot(all, size: $0) }
            let (size, stored) = try await store.database.read { db in
                (try Ledger.treeSize(in: db), try (0...all.count).map { try Ledger.root(atSize: UInt64($0), in: db) })
            }
            #expect(size == UInt64(all.count))
            #expect(stored == expected)
        }
    }

    @Test("inclusion and consistency proofs from the stored tree verify against its roots")
    func proofs() async throws {
        try await withLedger(fixture) { store in
            let entries = try await store.append(contentsOf: fixture.history())
            try await store.database.read { db in
                let size = UInt64(entries.count)
                let root = try Ledger.root(atSize: size, in: db)
                for entry in entries {
                    let proof = try Ledger.inclusionProof(seq: entry.seq, treeSize: size, in: db)
                    try proof.verify(leafHash: TreeHasher.leafHash(entry.leafBytes), root: root)
                }
                let consistency = try Ledger.consistencyProof(from: 3, to: size, in: db)
                try consistency.verify(oldRoot: try Ledger.root(atSize: 3, in: db), newRoot: root)
            }
        }
    }

    @Test("only the operator signs checkpoints, and only when the tree grew")
    func signing() async throws {
        try await withLedger(fixture) { store in
            _ = try await store.append(contentsOf: fixture.history())
            try await store.database.write { db in
                #expect(throws: ReceiptError.self) {
                    try Ledger.signCheckpoint(as: fixture.alice, timestamp: 5, in: db)
                }
                let signed = try #require(try Ledger.signCheckpoint(as: fixture.operatorIdentity, timestamp: 5, in: db))
                #expect(signed.checkpoint.size == 7)
                #expect(signed.checkpoint.origin == Ledger.origin(of: fixture.operatorID))
                try signed.verify(publicKey: fixture.operatorID.publicKey)
                #expect(try Ledger.signCheckpoint(as: fixture.operatorIdentity, timestamp: 6, in: db) == nil)
                #expect(try Ledger.latestCheckpoint(in: db) == signed)
            }
            #expect(try await store.verify().isValid)
        }
    }

    @Test("a job's receipt verifies offline, and any change to it is caught")
    func receipts() async throws {
        try await withLedger(fixture) { store in
            _ = try await store.append(contentsOf: fixture.history())
            let receipt = try await store.database.write { db -> LedgerReceipt in
                #expect(throws: ReceiptError.self) { try Ledger.receipt(forJob: "job-1", in: db) }
                try Ledger.signCheckpoint(as: fixture.operatorIdentity, timestamp: 5, in: db)
                #expect(throws: ReceiptError.self) { try Ledger.receipt(forJob: "job-9", in: db) }
                return try Ledger.receipt(forJob: "job-1", in: db)
            }
            let entry = try receipt.verify(trustedOperator: fixture.operatorID)
            #expect(entry.body.kind == .payment)
            #expect(entry.body.amount == 25)

            // Round trip through the JSON form.
            let parsed = try LedgerReceipt(json: Data(receipt.json.utf8))
            #expect(try parsed.verify().seq == entry.seq)

            #expect(throws: ReceiptError.self) { try receipt.verify(trustedOperator: fixture.alice.peerID) }
            var leaf = receipt.leaf
            leaf[leaf.count - 70] ^= 1
            let forged = LedgerReceipt(checkpoint: receipt.checkpoint, seq: receipt.seq, leaf: leaf, proof: receipt.proof)
            #expect(throws: (any Error).self) { try forged.verify() }
            var hashes = receipt.proof.hashes
            hashes[0] = TreeHasher.leafHash([1, 2, 3])
            let badProof = LedgerReceipt(
                checkpoint: receipt.checkpoint, seq: receipt.seq, leaf: receipt.leaf,
                proof: InclusionProof(leafIndex: receipt.proof.leafIndex, treeSize: receipt.proof.treeSize, hashes: hashes))
            #expect(throws: ReceiptError.self) { try badProof.verify() }
            #expect(throws: ReceiptError.self) { try LedgerReceipt(json: Data("{}".utf8)) }
        }
    }

    @Test("verify catches an edited tree node, naming the entry that completed it")
    func tamperedNode() async throws {
        try await withLedger(fixture) { store in
            _ = try await store.append(contentsOf: fixture.history())
            try await store.database.write { db in
                try db.execute(sql: "DROP TRIGGER ledger_tree_nodes_no_update")
                try db.execute(sql: "UPDATE ledger_tree_nodes SET hash = zeroblob(32) WHERE level = 1 AND idx = 1")
            }
            let verification = try await store.verify()
            #expect(!verification.isValid)
            #expect(verification.failure?.seq == 4)
            #expect(verification.failure?.reason.contains("Merkle tree node (level 1, index 1)") == true)
        }
    }

    @Test("verify names a stored tree node that is not a 32-byte blob", arguments: [
        ("hex(hash)", "cannot be read"), ("substr(hash, 1, 31)", "does not match the entries"),
        ("CAST(hash || X'00' AS BLOB)", "does not match the entries"), ("X''", "does not match the entries"),
    ])
    func unreadableNode(value: String, reason: String) async throws {
        try await withLedger(fixture) { store in
            _ = try await store.append(contentsOf: fixture.history())
            try await store.database.write { db in
                // A tamperer can turn the schema's CHECK constraints off, as well as drop its triggers.
                try db.execute(sql: "DROP TRIGGER ledger_tree_nodes_no_update; PRAGMA ignore_check_constraints = ON")
                try db.execute(sql: "UPDATE ledger_tree_nodes SET hash = \(value) WHERE level = 0 AND idx = 2")
            }
            let verification = try await store.verify()
            #expect(verification.failure?.seq == 3)
            #expect(verification.failure?.reason.contains("Merkle tree node (level 0, index 2) \(reason)") == true,
                    "\(String(describing: verification.failure))")
        }
    }

    @Test("verify catches a forged or stale checkpoint and entries removed after one was signed")
    func tamperedCheckpoints() async throws {
        try await withLedger(fixture) { store in
            _ = try await store.append(contentsOf: fixture.history())
            let signed = try await store.database.write { db in
                try #require(try Ledger.signCheckpoint(as: fixture.operatorIdentity, timestamp: 5, in: db))
            }
            // A checkpoint signed by someone else, stored as if it were the operator's.
            let forged = signed.checkpoint.sign(with: fixture.alice)
            try await store.database.write { db in
                try db.execute(sql: "DROP TRIGGER ledger_checkpoints_no_update")
                try db.execute(sql: "UPDATE ledger_checkpoints SET text = ? WHERE size = 7", arguments: [forged.serialized])
            }
            var verification = try await store.verify()
            #expect(verification.failure?.reason.contains("checkpoint of 7 entries is not valid") == true)

            // A correctly signed checkpoint over a different root.
            let otherRoot = try Checkpoint(origin: signed.checkpoint.origin, size: 7,
                                           root: TreeHasher.leafHash([9]), timestamp: 5)
            try await store.database.write { db in
                try db.execute(sql: "UPDATE ledger_checkpoints SET text = ? WHERE size = 7",
                               arguments: [otherRoot.sign(with: fixture.operatorIdentity).serialized])
            }
            verification = try await store.verify()
            #expect(verification.failure?.reason.contains("has root") == true)

            // A checkpoint claiming more entries than are stored.
            let beyond = try Checkpoint(origin: signed.checkpoint.origin, size: 9, root: signed.checkpoint.root,
                                        timestamp: 6)
            try await store.database.write { db in
                try db.execute(sql: "UPDATE ledger_checkpoints SET text = ? WHERE size = 7", arguments: [signed.serialized])
                try db.execute(sql: "INSERT INTO ledger_checkpoints (size, text) VALUES (9, ?)",
                               arguments: [beyond.sign(with: fixture.operatorIdentity).serialized])
            }
            verification = try await store.verify()
            #expect(verification.failure?.reason.contains("claims 9 entries") == true)
        }
    }
}

extension Array {
    func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
