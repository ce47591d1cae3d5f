import GRDB
import GridCore
import GridCrypto
import Testing
@testable import GridLedger

@Suite("Ledger verification of batch-signed escrows")
struct BatchSignedLedgerTests {
    let fixture = Fixture()

    @Test("batch-signed escrows are stored with their proofs, read back equal, and verify; a moved proof is named")
    func storedAndVerified() async throws {
        try await withLedger(fixture) { store in
            let history = try fixture.batchHistory()
            let appended = try await store.append(contentsOf: history)
            #expect(try await store.entries(after: 0, limit: 100) == appended)
            #expect(appended[2].signed.batchProof?.treeSize == 3 && appended[5].signed.batchProof == nil)
            let result = try await store.verify()
            #expect(result.isValid && result.verifiedCount == Int64(history.count), "\(result)")

            try await tamper(store, """
                UPDATE ledger_entries SET signature_proof = (SELECT signature_proof FROM ledger_entries WHERE seq = 5)
                WHERE seq = 4
                """)
            let moved = try await store.verify()
            #expect(moved.failure?.seq == 4, "\(moved)")
            #expect(moved.failure?.reason.contains("signature is not a valid signature") == true)
        }
    }

    @Test("a proof column that is not a proof is refused by name, not read as one")
    func malformedProofColumn() async throws {
        try await withLedger(fixture) { store in
            try await store.append(contentsOf: try fixture.batchHistory())
            try await tamper(store, "UPDATE ledger_entries SET signature_proof = zeroblob(20) WHERE seq = 3")
            let result = try await store.verify()
            #expect(result.failure?.seq == 3, "\(result)")
            #expect(result.failure?.reason.contains("batch proof") == true, "\(result)")
        }
    }

    @Test("a large batch appended as received is checked on all cores, and a forged member is refused by position")
    func largeBatchAppend() async throws {
        try await withLedger(fixture) { store in
            try await store.append(try fixture.grant(1_000, to: fixture.alice.peerID))
            let jobs = (0..<100).map { "job-\($0)" }
            var escrows = try fixture.batchEscrows(1, jobs: jobs, by: fixture.alice)
            let changed = try EntryBody.escrow(job: "job-50", amount: 2, submitter: fixture.alice.peerID,
                                               timestamp: 2_000)
            let genuine = escrows[50]
            escrows[50] = try SignedEntry(body: changed, signatureField: genuine.signatureField)
            let refusal = await #expect(throws: LedgerError.self) { try await store.append(contentsOf: escrows) }
            #expect(refusal?.batchIndex == 50, "\(String(describing: refusal))")
            #expect(try await store.head()?.seq == 1)
            escrows[50] = genuine
            try await store.append(contentsOf: escrows)
            let result = try await store.verify()
            #expect(result.isValid && result.verifiedCount == 101, "\(result)")
        }
    }
}
