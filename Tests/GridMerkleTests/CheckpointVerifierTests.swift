import GridCrypto
import Testing
@testable import GridMerkle

@Suite("Checkpoint verifier")
struct CheckpointVerifierTests {
    static let origin = "peergrid.test/ledger"

    /// A log signer with a tree, producing signed checkpoints of any size.
    struct Log {
        let identity = Identity.generate()
        var tree = MerkleTree(store: InMemoryNodeStore())

        init(size: Int) throws {
            try tree.append(contentsOf: (0..<size).map(testEntry))
        }

        func checkpoint(size: UInt64, timestamp: UInt64? = nil, origin: String = CheckpointVerifierTests.origin)
            throws -> SignedCheckpoint {
            try Checkpoint(origin: origin, size: size, root: tree.root(atSize: size),
                           timestamp: timestamp ?? 1_000 + size).sign(with: identity)
        }

        var verifier: CheckpointVerifier {
            CheckpointVerifier(origin: CheckpointVerifierTests.origin, publicKey: identity.keyPair.publicKey)
        }
    }

    @Test("A growing log is followed checkpoint by checkpoint with consistency proofs")
    func follows() throws {
        let log = try Log(size: 50)
        var verifier = log.verifier
        try verifier.update(to: try log.checkpoint(size: 3), proof: nil)
        var previous: UInt64 = 3
        for size: UInt64 in [3, 4, 8, 13, 32, 50] {
            try verifier.update(to: try log.checkpoint(size: size),
                                proof: try log.tree.consistencyProof(from: previous, to: size))
            #expect(verifier.trusted?.size == size)
            previous = size
        }
    }

    @Test("A checkpoint whose size goes backwards is rejected")
    func sizeBackwards() throws {
        let log = try Log(size: 20)
        var verifier = log.verifier
        try verifier.update(to: try log.checkpoint(size: 10), proof: nil)
        let error = #expect(throws: CheckpointError.self) {
            try verifier.update(to: try log.checkpoint(size: 9, timestamp: 5_000), proof: nil)
        }
        #expect(error?.description == "The checkpoint size went backwards from the trusted 10 to 9.")
        #expect(verifier.trusted?.size == 10)
    }

    @Test("A checkpoint whose timestamp goes backwards is rejected")
    func timeBackwards() throws {
        let log = try Log(size: 20)
        var verifier = log.verifier
        try verifier.update(to: try log.checkpoint(size: 10, timestamp: 2_000), proof: nil)
        let error = #expect(throws: CheckpointError.self) {
            try verifier.update(to: try log.checkpoint(size: 12, timestamp: 1_999),
                                proof: try log.tree.consistencyProof(from: 10, to: 12))
        }
        #expect(error?.description == "The checkpoint timestamp went backwards from the trusted 2000 ms to 1999 ms.")
    }

    @Test("A forked log is rejected: same size with another root, or a larger size that rewrote history")
    func fork() throws {
        let honest = try Log(size: 20)
        // The same signer rewrites leaf 4 and re-signs.
        var forkedTree = MerkleTree(store: InMemoryNodeStore())
        try forkedTree.append(contentsOf: (0..<20).map { $0 == 4 ? [0x66] : testEntry($0) })
        var verifier = honest.verifier
        try verifier.update(to: try honest.checkpoint(size: 10), proof: nil)

        let forkedRoot = try forkedTree.root(atSize: 10)
        let sameSize = try Checkpoint(origin: Self.origin, size: 10, root: forkedRoot, timestamp: 9_000)
            .sign(with: honest.identity)
        let error1 = #expect(throws: CheckpointError.self) { try verifier.update(to: sameSize, proof: nil) }
        #expect(error1?.description
            == "The checkpoint has the trusted size 10 but a different root: the log has forked.")

        let larger = try Checkpoint(origin: Self.origin, size: 20, root: forkedTree.root, timestamp: 9_000)
            .sign(with: honest.identity)
        let error2 = #expect(throws: CheckpointError.self) {
            try verifier.update(to: larger, proof: try forkedTree.consistencyProof(from: 10, to: 20))
        }
        #expect(error2?.description.hasPrefix("The checkpoint is not consistent with the trusted one: ") == true)
        #expect(verifier.trusted?.size == 10)
    }

    @Test("A larger checkpoint needs a consistency proof for exactly the two sizes")
    func proofRequired() throws {
        let log = try Log(size: 20)
        var verifier = log.verifier
        try verifier.update(to: try log.checkpoint(size: 10), proof: nil)
        let error1 = #expect(throws: CheckpointError.self) {
            try verifier.update(to: try log.checkpoint(size: 15), proof: nil)
        }
        #expect(error1?.description == "A consistency proof from size 10 to 15 is needed to accept the checkpoint.")
        let error2 = #expect(throws: CheckpointError.self) {
            try verifier.update(to: try log.checkpoint(size: 15), proof: try log.tree.consistencyProof(from: 9, to: 15))
        }
        #expect(error2?.description
            == "The consistency proof is from size 9 to 15, but the checkpoints have sizes 10 and 15.")
    }

    @Test("Checkpoints with a bad signature, another signer or another origin are rejected")
    func signatureAndOrigin() throws {
        let log = try Log(size: 5)
        let verifier = log.verifier
        let good = try log.checkpoint(size: 5)
        var signature = good.signature
        signature[10] ^= 1
        let tampered = SignedCheckpoint(checkpoint: good.checkpoint, signer: good.signer, signature: signature)
        #expect(throws: CheckpointError.badSignature) { try verifier.check(tampered, proof: nil) }

        let stranger = try Checkpoint(origin: Self.origin, size: 5, root: log.tree.root, timestamp: 1)
            .sign(with: Identity.generate())
        #expect(throws: CheckpointError.self) { try verifier.check(stranger, proof: nil) }

        let otherLog = try log.checkpoint(size: 5, origin: "other.log")
        let error = #expect(throws: CheckpointError.self) { try verifier.check(otherLog, proof: nil) }
        #expect(error?.description == "The checkpoint is for the log \"other.log\", not for \"peergrid.test/ledger\".")
    }

    @Test("A checkpoint is checked against a root recomputed by a replica")
    func recomputedRoot() throws {
        let log = try Log(size: 12)
        let verifier = log.verifier
        let signed = try log.checkpoint(size: 12)
        var replica = CompactMerkleTree()
        for i in 0..<12 {
            try replica.append(testEntry(i))
        }
        try verifier.check(signed, recomputedRoot: replica.root)

        var edited = CompactMerkleTree()
        for i in 0..<12 {
            try edited.append(i == 7 ? [0] : testEntry(i))
        }
        let error = #expect(throws: CheckpointError.self) { try verifier.check(signed, recomputedRoot: edited.root) }
        #expect(error?.description
            == "The checkpoint root does not match the root recomputed from the 12 local entries.")
    }

    @Test("A receipt (inclusion proof plus signed checkpoint) verifies with only the signer's public key")
    func receipt() throws {
        let log = try Log(size: 30)
        let signed = try SignedCheckpoint(parsing: try log.checkpoint(size: 30).serialized)
        let proof = try InclusionProof(parsing: try log.tree.inclusionProof(leafIndex: 17, treeSize: 30).serialized)
        // What a worker does with its receipt:
        try signed.verify(publicKey: log.identity.keyPair.publicKey)
        #expect(proof.treeSize == signed.checkpoint.size)
        try proof.verify(leafHash: TreeHasher.leafHash(testEntry(17)), root: signed.checkpoint.root)
        #expect(throws: MerkleError.self) {
            try proof.verify(leafHash: TreeHasher.leafHash(testEntry(18)), root: signed.checkpoint.root)
        }
    }
}
