import GridCore
import GridCrypto
import GridMerkle
import Testing
@testable import GridLedgerModel

@Suite("Batch signatures")
struct BatchSignatureTests {
    let fixture = Fixture()

    @Test("every body of a batch verifies on its own after its signature field travels; one body alone is signed plainly")
    func roundTrip() throws {
        let escrows = try fixture.batchEscrows(5, jobs: ["a", "b", "c", "d", "e"], by: fixture.alice)
        #expect(Set(escrows.map(\.signature)).count == 1)
        for (index, escrow) in escrows.enumerated() {
            #expect(escrow.batchProof?.leafIndex == UInt64(index) && escrow.batchProof?.treeSize == 5)
            #expect(escrow.isSignatureValid)
            #expect(try SignedEntry(serializedBytes: escrow.serializedBytes) == escrow)
            let entry = LedgerEntry(seq: Int64(index) + 1, signed: escrow, prevHash: LedgerEntry.genesisHash)
            let decoded = try LedgerEntry(leafBytes: entry.leafBytes)
            #expect(decoded == entry && decoded.signed.isSignatureValid)
        }
        let single = try BatchSignature.sign([escrows[0].body], by: fixture.alice)
        #expect(single[0].batchProof == nil && single[0].signature.count == 64 && single[0].isSignatureValid)
    }

    @Test("a batch's root and proofs are those of the ledger's own Merkle tree over the same bodies, for every size")
    func sameTreeAsTheLedger() throws {
        for size in 2...40 {
            let escrows = try fixture.batchEscrows(1, jobs: (0..<size).map { "j\($0)" }, by: fixture.alice)
            var tree = MerkleTree(store: InMemoryNodeStore())
            _ = try tree.append(contentsOf: escrows.map(\.body.canonicalBytes))
            for (index, escrow) in escrows.enumerated() {
                let expected = try tree.inclusionProof(leafIndex: UInt64(index), treeSize: UInt64(size))
                #expect(escrow.batchProof == expected, "leaf \(index) of \(size)")
            }
            let message = BatchSignature.message(root: tree.root, size: UInt64(size))
            #expect(SignatureVerifier.isValid(signature: escrows[0].signature, of: message,
                                              publicKey: fixture.alice.peerID.publicKey), "size \(size)")
        }
    }

    @Test("a changed body, a proof from another place or batch, or a changed signature fails")
    func tampering() throws {
        let batch = try fixture.batchEscrows(5, jobs: ["a", "b", "c"], by: fixture.alice)
        let other = try fixture.batchEscrows(5, jobs: ["x", "y"], by: fixture.alice)
        let changed = try EntryBody.escrow(job: "a", amount: 6, submitter: fixture.alice.peerID, timestamp: 2_000)
        let cache = SignatureCache()
        #expect(batch[1].isSignatureValid(cache: cache))
        // Each forgery is checked against a cache that holds the genuine batch: it must miss, not pass.
        let forgeries = [
            SignedEntry(body: changed, signature: batch[0].signature, batchProof: batch[0].batchProof, knownValid: false),
            SignedEntry(body: batch[0].body, signature: batch[0].signature, batchProof: batch[2].batchProof,
                        knownValid: false),
            SignedEntry(body: batch[0].body, signature: batch[0].signature, batchProof: other[0].batchProof,
                        knownValid: false),
            SignedEntry(body: batch[0].body, signature: other[0].signature, batchProof: batch[0].batchProof,
                        knownValid: false),
            SignedEntry(body: batch[0].body, signature: batch[0].signature, batchProof: nil, knownValid: false),
        ]
        for forged in forgeries {
            #expect(!forged.isSignatureValid(cache: cache))
            #expect(!forged.isSignatureValid)
        }
        // A plain signature of a body does not pass as a batch signature that includes it, nor the other way round.
        let plain = try batch[0].body.signed(by: fixture.alice)
        #expect(!SignedEntry(body: batch[0].body, signature: plain.signature, batchProof: batch[0].batchProof,
                             knownValid: false).isSignatureValid)
        // Nobody signs a batch of bodies another peer authored.
        #expect(throws: LedgerError.self) { try BatchSignature.sign([batch[0].body, batch[1].body], by: fixture.bob) }
    }

    @Test("a cached batch signature is taken only for the author who signed it")
    func cacheKeyedByAuthor() throws {
        // Alice signs a tree holding one body of hers and one authored by Bob (no honest client does; built by hand).
        let hers = try EntryBody.escrow(job: "a", amount: 5, submitter: fixture.alice.peerID, timestamp: 2_000)
        let bobs = try EntryBody.escrow(job: "b", amount: 5, submitter: fixture.bob.peerID, timestamp: 2_000)
        var tree = MerkleTree(store: InMemoryNodeStore())
        _ = try tree.append(contentsOf: [hers.canonicalBytes, bobs.canonicalBytes])
        let signature = fixture.alice.sign(BatchSignature.message(root: tree.root, size: 2))
        let aliceEntry = SignedEntry(body: hers, signature: signature,
                                     batchProof: try tree.inclusionProof(leafIndex: 0, treeSize: 2), knownValid: false)
        let bobEntry = SignedEntry(body: bobs, signature: signature,
                                   batchProof: try tree.inclusionProof(leafIndex: 1, treeSize: 2), knownValid: false)
        let cache = SignatureCache()
        #expect(aliceEntry.isSignatureValid(cache: cache))
        // Same root, size and signature as the cached batch: only the author tells them apart.
        #expect(!bobEntry.isSignatureValid(cache: cache))
    }

    @Test("a proof relabelled to another batch size (same hashes, same root) no longer checks out")
    func relabelledProof() throws {
        let batch = try fixture.batchEscrows(5, jobs: ["a", "b", "c", "d"], by: fixture.alice)
        let proof = try #require(batch[0].batchProof)
        // For leaf 0, a batch of 3 or of 4 with these two hashes leads to the same root.
        let relabelled = InclusionProof(leafIndex: 0, treeSize: 3, hashes: proof.hashes)
        let leaf = TreeHasher.leafHash(batch[0].body.canonicalBytes)
        #expect(try relabelled.root(leafHash: leaf) == (try proof.root(leafHash: leaf)))
        let cache = SignatureCache()
        #expect(batch[0].isSignatureValid(cache: cache))
        let moved = SignedEntry(body: batch[0].body, signature: batch[0].signature, batchProof: relabelled,
                                knownValid: false)
        #expect(!moved.isSignatureValid(cache: cache))
        #expect(!moved.isSignatureValid)
    }

    @Test("malformed signature fields are refused with the reason")
    func malformedFields() throws {
        let body = try EntryBody.escrow(job: "a", amount: 5, submitter: fixture.alice.peerID, timestamp: 2_000)
        let batch = try fixture.batchEscrows(5, jobs: ["a", "b", "c"], by: fixture.alice)
        let field = batch[0].signatureField
        for bad in [Array(field.prefix(63)), Array(field.dropLast()), field + [0], Array(field.prefix(70))] {
            #expect(throws: LedgerError.self) { try SignedEntry(body: body, signatureField: bad) }
        }
        // A proof for a "batch" of one, or of more bodies than one signature may cover.
        let tooSmall = InclusionProof(leafIndex: 0, treeSize: 1, hashes: [])
        let tooLarge = InclusionProof(leafIndex: 0, treeSize: UInt64(BatchSignature.maximumSize) + 1, hashes: [])
        for proof in [tooSmall, tooLarge] {
            #expect(throws: LedgerError.self) {
                try SignedEntry(body: body, signatureField: batch[0].signature + proof.serialized)
            }
        }
        let many = try (0...BatchSignature.maximumSize).map {
            try EntryBody.escrow(job: "j\($0)", amount: 1, submitter: fixture.alice.peerID, timestamp: 2_000)
        }
        #expect(throws: LedgerError.self) { try BatchSignature.sign(many, by: fixture.alice) }
    }

    @Test("a replay over batch-signed escrows passes, and names the entry whose proof was swapped")
    func replay() throws {
        let history = try fixture.batchHistory()
        var prev = LedgerEntry.genesisHash
        var entries: [LedgerEntry] = []
        for (index, signed) in history.enumerated() {
            let entry = LedgerEntry(seq: Int64(index) + 1, signed: signed, prevHash: prev)
            entries.append(entry)
            prev = entry.hash
        }
        #expect(LedgerReplay.verify(entries, operator: fixture.operatorID).isValid)

        // Entry 4 (job-b) with job-c's proof, re-hashed so only the signature can tell.
        let swapped = SignedEntry(body: history[3].body, signature: history[3].signature,
                                  batchProof: history[4].batchProof, knownValid: false)
        var tampered = Array(entries[..<3])
        tampered.append(LedgerEntry(seq: 4, signed: swapped, prevHash: entries[2].hash))
        let result = LedgerReplay.verify(tampered, operator: fixture.operatorID)
        #expect(result.failure?.seq == 4)
        #expect(result.failure?.reason.contains("signature is not a valid signature") == true)
    }
}
