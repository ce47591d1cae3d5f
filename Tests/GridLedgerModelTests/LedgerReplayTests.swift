import GridCore
import GridCrypto
import GridMerkle
import GridTestKit
import Testing
@testable import GridLedgerModel

/// Verification over entries held in memory: no database anywhere in this target.
@Suite("Ledger replay in memory")
struct LedgerReplayTests {
    let fixture = Fixture()

    /// The fixture's history sequenced into entries, and a checkpoint of them signed by the operator.
    func sequenced() throws -> (entries: [LedgerEntry], checkpoint: SignedCheckpoint) {
        var prevHash = LedgerEntry.genesisHash
        var tree = CompactMerkleTree()
        var entries: [LedgerEntry] = []
        for (index, signed) in try fixture.history().enumerated() {
            let entry = LedgerEntry(seq: Int64(index + 1), signed: signed, prevHash: prevHash)
            try tree.append(entry.leafBytes)
            entries.append(entry)
            prevHash = entry.hash
        }
        let checkpoint = try Checkpoint(origin: LedgerLog.origin(of: fixture.operatorID), size: tree.size,
                                        root: tree.root, timestamp: 5)
        return (entries, checkpoint.sign(with: fixture.operatorIdentity))
    }

    @Test("a valid sequence verifies with its balances and checkpoint, with no database")
    func valid() throws {
        let (entries, checkpoint) = try sequenced()
        let result = LedgerReplay.verify(entries, checkpoints: [checkpoint], operator: fixture.operatorID)
        #expect(result.isValid, "\(result)")
        #expect(result.verifiedCount == 7)
        #expect(result.sheet.balance(of: .peer(fixture.alice.peerID)) == 75)
        #expect(result.sheet.balance(of: .peer(fixture.worker.peerID)) == 25)
        #expect(result.sheet.balance(of: .mint) == -150)
    }

    @Test("a changed, missing or reordered entry, a bad checkpoint or a broken rule names the first bad entry")
    func failures() throws {
        let (entries, checkpoint) = try sequenced()
        let operatorID = fixture.operatorID
        func failure(_ entries: [LedgerEntry], _ checkpoints: [SignedCheckpoint] = []) -> LedgerVerification.Failure? {
            LedgerReplay.verify(entries, checkpoints: checkpoints, operator: operatorID).failure
        }
        // A signature from another entry.
        var swapped = entries
        swapped[2] = LedgerEntry(seq: 3, signed: SignedEntry(body: entries[2].body, signature: entries[1].signed.signature),
                                 prevHash: entries[2].prevHash)
        #expect(failure(swapped)?.seq == 3)
        #expect(failure(swapped)?.reason.contains("signature is not a valid signature") == true)
        // A gap.
        #expect(failure(Array(entries[0..<3]) + Array(entries[4...]))?.reason == "it is missing; the next stored entry is 5.")
        // Out of order.
        #expect(failure([entries[0], entries[2], entries[1]])?.seq == 2)
        // A checkpoint for more entries than were given, and one signed by someone else.
        #expect(failure(Array(entries[0..<5]), [checkpoint])?.reason.contains("claims 7 entries") == true)
        let forged = checkpoint.checkpoint.sign(with: fixture.alice)
        #expect(failure(entries, [forged])?.reason.contains("is not valid") == true)
        // A well-signed entry that breaks a rule: the submitter escrows more than it has.
        let overdraft = try fixture.escrow(500, job: "job-3", by: fixture.bob)
        let extra = LedgerEntry(seq: 8, signed: overdraft, prevHash: entries[6].hash)
        #expect(failure(entries + [extra])?.reason.contains("has 50 credits and cannot escrow 500") == true)
    }

    @Test("appending one by one stops at a bad entry and keeps what checked out")
    func incremental() throws {
        let (entries, checkpoint) = try sequenced()
        var replay = LedgerReplay(operator: fixture.operatorID)
        for entry in entries.prefix(4) { #expect(replay.append(entry) == nil) }
        #expect(replay.check(checkpoint)?.reason.contains("was given after 4 entries") == true)
        #expect(replay.append(entries[5])?.seq == 5)
        #expect(replay.size == 4)
        for entry in entries.dropFirst(4) { #expect(replay.append(entry) == nil) }
        #expect(replay.check(checkpoint) == nil)
        #expect(replay.balances.balance(of: .peer(fixture.bob.peerID)) == 50)
    }
}
