import Testing
@testable import GridMerkle

@Suite("RFC 6962 proof test vectors")
struct ProofVectorTests {
    @Test("Inclusion proofs are generated exactly as published", arguments: RFC6962Vectors.inclusion)
    func inclusionGeneration(vector: RFC6962Vectors.InclusionVector) throws {
        let tree = try RFC6962Vectors.tree()
        let proof = try tree.inclusionProof(leafIndex: vector.leafIndex, treeSize: vector.treeSize)
        #expect(proof.hashes.map(\.hex) == vector.proof)
    }

    @Test("Published inclusion proofs verify, and every corruption of them is rejected",
          arguments: RFC6962Vectors.inclusion)
    func inclusionVerification(vector: RFC6962Vectors.InclusionVector) throws {
        let leafHash = TreeHasher.leafHash(RFC6962Vectors.leaves[Int(vector.leafIndex)])
        let root = RFC6962Vectors.hash(RFC6962Vectors.roots[Int(vector.treeSize)])
        let hashes = vector.proof.map(RFC6962Vectors.hash)
        let good = InclusionProof(leafIndex: vector.leafIndex, treeSize: vector.treeSize, hashes: hashes)
        try good.verify(leafHash: leafHash, root: root)

        var bad: [(String, InclusionProof, MerkleHash, MerkleHash)] = [
            ("index + 1", InclusionProof(leafIndex: vector.leafIndex + 1, treeSize: vector.treeSize, hashes: hashes),
             leafHash, root),
            ("index ^ 2", InclusionProof(leafIndex: vector.leafIndex ^ 2, treeSize: vector.treeSize, hashes: hashes),
             leafHash, root),
            ("size * 2", InclusionProof(leafIndex: vector.leafIndex, treeSize: vector.treeSize * 2, hashes: hashes),
             leafHash, root),
            ("size / 2", InclusionProof(leafIndex: vector.leafIndex, treeSize: vector.treeSize / 2, hashes: hashes),
             leafHash, root),
            ("wrong leaf", good, TreeHasher.leafHash([0x57]), root),
            ("empty root", good, leafHash, TreeHasher.emptyRoot),
            ("trailing root", InclusionProof(leafIndex: vector.leafIndex, treeSize: vector.treeSize,
                                             hashes: hashes + [root]), leafHash, root),
            ("preceding root", InclusionProof(leafIndex: vector.leafIndex, treeSize: vector.treeSize,
                                              hashes: [root] + hashes), leafHash, root),
        ]
        if vector.leafIndex > 0 {
            bad.append(("index - 1", InclusionProof(leafIndex: vector.leafIndex - 1, treeSize: vector.treeSize,
                                                    hashes: hashes), leafHash, root))
        }
        if !hashes.isEmpty {
            bad.append(("removed hash", InclusionProof(leafIndex: vector.leafIndex, treeSize: vector.treeSize,
                                                       hashes: hashes.dropLast()), leafHash, root))
        }
        for i in hashes.indices {
            var flipped = hashes
            var bytes = flipped[i].bytes
            bytes[0] ^= 8
            flipped[i] = try MerkleHash(bytes: bytes)
            bad.append(("flipped bit in hash \(i)", InclusionProof(leafIndex: vector.leafIndex,
                                                                   treeSize: vector.treeSize, hashes: flipped),
                        leafHash, root))
        }
        for (what, proof, leaf, expectedRoot) in bad {
            #expect(throws: MerkleError.self, "\(what) must be rejected") {
                try proof.verify(leafHash: leaf, root: expectedRoot)
            }
        }
    }

    @Test("Consistency proofs are generated exactly as published", arguments: RFC6962Vectors.consistency)
    func consistencyGeneration(vector: RFC6962Vectors.ConsistencyVector) throws {
        let tree = try RFC6962Vectors.tree()
        let proof = try tree.consistencyProof(from: vector.oldSize, to: vector.newSize)
        #expect(proof.hashes.map(\.hex) == vector.proof)
    }

    @Test("Published consistency proofs verify, and every corruption of them is rejected",
          arguments: RFC6962Vectors.consistency)
    func consistencyVerification(vector: RFC6962Vectors.ConsistencyVector) throws {
        let oldRoot = RFC6962Vectors.hash(RFC6962Vectors.roots[Int(vector.oldSize)])
        let newRoot = RFC6962Vectors.hash(RFC6962Vectors.roots[Int(vector.newSize)])
        let hashes = vector.proof.map(RFC6962Vectors.hash)
        try ConsistencyProof(oldSize: vector.oldSize, newSize: vector.newSize, hashes: hashes)
            .verify(oldRoot: oldRoot, newRoot: newRoot)
        guard !hashes.isEmpty else { return }

        func proof(_ old: UInt64, _ new: UInt64, _ hashes: [MerkleHash]) -> ConsistencyProof {
            ConsistencyProof(oldSize: old, newSize: new, hashes: hashes)
        }
        let (m, n) = (vector.oldSize, vector.newSize)
        var bad: [(String, ConsistencyProof, MerkleHash, MerkleHash)] = [
            ("old size - 1", proof(m - 1, n, hashes), oldRoot, newRoot),
            ("old size + 1", proof(m + 1, n, hashes), oldRoot, newRoot),
            ("old size ^ 2", proof(m ^ 2, n, hashes), oldRoot, newRoot),
            ("new size * 2", proof(m, n * 2, hashes), oldRoot, newRoot),
            ("new size / 2", proof(m, n / 2, hashes), oldRoot, newRoot),
            ("wrong old root", proof(m, n, hashes), TreeHasher.emptyRoot, newRoot),
            ("wrong new root", proof(m, n, hashes), oldRoot, TreeHasher.emptyRoot),
            ("swapped roots", proof(m, n, hashes), newRoot, oldRoot),
            ("empty proof", proof(m, n, []), oldRoot, newRoot),
            ("trailing old root", proof(m, n, hashes + [oldRoot]), oldRoot, newRoot),
            ("trailing new root", proof(m, n, hashes + [newRoot]), oldRoot, newRoot),
            ("preceding old root", proof(m, n, [oldRoot] + hashes), oldRoot, newRoot),
            ("preceding new root", proof(m, n, [newRoot] + hashes), oldRoot, newRoot),
            ("preceding first hash", proof(m, n, [hashes[0]] + hashes), oldRoot, newRoot),
            ("truncated", proof(m, n, Array(hashes.dropLast())), oldRoot, newRoot),
        ]
        for i in hashes.indices {
            var flipped = hashes
            var bytes = flipped[i].bytes
            bytes[0] ^= 16
            flipped[i] = try MerkleHash(bytes: bytes)
            bad.append(("flipped bit in hash \(i)", proof(m, n, flipped), oldRoot, newRoot))
        }
        for (what, proof, old, new) in bad {
            #expect(throws: MerkleError.self, "\(what) must be rejected") {
                try proof.verify(oldRoot: old, newRoot: new)
            }
        }
    }

    @Test("Consistency edge cases follow the reference verifier")
    func consistencyEdgeCases() throws {
        let a = TreeHasher.leafHash([1])
        let b = TreeHasher.leafHash([2])
        let empty = TreeHasher.emptyRoot
        // Always consistent.
        try ConsistencyProof(oldSize: 0, newSize: 0, hashes: []).verify(oldRoot: a, newRoot: a)
        try ConsistencyProof(oldSize: 0, newSize: 1, hashes: []).verify(oldRoot: a, newRoot: b)
        try ConsistencyProof(oldSize: 1, newSize: 1, hashes: []).verify(oldRoot: b, newRoot: b)
        // Rejected.
        let cases: [(ConsistencyProof, MerkleHash, MerkleHash, String)] = [
            (ConsistencyProof(oldSize: 0, newSize: 0, hashes: []), a, b,
             "The proof does not lead to the expected root: two roots of the same size 0 differ."),
            (ConsistencyProof(oldSize: 1, newSize: 0, hashes: []), a, b,
             "A consistency proof from size 1 to the smaller size 0 is impossible: trees only grow."),
            (ConsistencyProof(oldSize: 1, newSize: 2, hashes: []), a, b,
             "The consistency proof is empty but the sizes differ."),
            (ConsistencyProof(oldSize: 0, newSize: 1, hashes: [empty]), empty, empty,
             "A consistency proof between equal sizes or from the empty tree must be empty."),
            (ConsistencyProof(oldSize: 1, newSize: 1, hashes: [empty]), empty, empty,
             "A consistency proof between equal sizes or from the empty tree must be empty."),
        ]
        for (proof, old, new, message) in cases {
            let error = #expect(throws: MerkleError.self) { try proof.verify(oldRoot: old, newRoot: new) }
            #expect(error?.description == message)
        }
    }

    @Test("Inclusion edge cases are rejected with a reason")
    func inclusionEdgeCases() {
        let leaf = TreeHasher.leafHash([1])
        for (index, size) in [(0, 0), (1, 0), (2, 1), (1, 1)] as [(UInt64, UInt64)] {
            let proof = InclusionProof(leafIndex: index, treeSize: size, hashes: [])
            let error = #expect(throws: MerkleError.self) { try proof.verify(leafHash: leaf, root: leaf) }
            #expect(error?.description == "Leaf index \(index) is not in a tree of \(size) leaves.")
        }
    }
}
