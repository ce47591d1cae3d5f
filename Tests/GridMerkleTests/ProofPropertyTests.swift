import GridTestKit
import Testing
@testable import GridMerkle

@Suite("Proof properties over many tree sizes")
struct ProofPropertyTests {
    static let maximumSize = 300

    static func tree(size: Int) throws -> MerkleTree<InMemoryNodeStore> {
        var tree = MerkleTree(store: InMemoryNodeStore())
        try tree.append(contentsOf: (0..<size).map(testEntry))
        return tree
    }

    @Test("Roots, inclusion and consistency proofs equal the RFC's recursive definitions up to 64 leaves")
    func matchesReference() throws {
        let size = 64
        let tree = try Self.tree(size: size)
        let leaves = (0..<size).map { TreeHasher.leafHash(testEntry($0)) }
        for n in 0...size {
            #expect(try tree.root(atSize: UInt64(n)) == ReferenceMerkle.root(leaves[..<n]), "root of \(n)")
            for m in 0..<n {
                let proof = try tree.inclusionProof(leafIndex: UInt64(m), treeSize: UInt64(n))
                #expect(proof.hashes == ReferenceMerkle.path(m, leaves[..<n]), "path \(m) of \(n)")
            }
            for m in 0...n {
                let proof = try tree.consistencyProof(from: UInt64(m), to: UInt64(n))
                #expect(proof.hashes == ReferenceMerkle.proof(m, leaves[..<n]), "proof \(m) to \(n)")
            }
        }
    }

    @Test("Every leaf of every tree up to 300 leaves has a proof that verifies and fits log2 of the size")
    func everyInclusionProof() throws {
        let tree = try Self.tree(size: Self.maximumSize)
        var failures = 0
        for n in 1...Self.maximumSize {
            let root = try tree.root(atSize: UInt64(n))
            let bound = 64 - UInt64(n - 1).leadingZeroBitCount
            for m in 0..<n {
                let proof = try tree.inclusionProof(leafIndex: UInt64(m), treeSize: UInt64(n))
                do {
                    try proof.verify(leafHash: try tree.leafHash(at: UInt64(m)), root: root)
                } catch {
                    failures += 1
                }
                if proof.hashes.count > bound { failures += 1 }
            }
        }
        #expect(failures == 0)
    }

    @Test("Every pair of sizes up to 300 has a consistency proof that verifies")
    func everyConsistencyProof() throws {
        let tree = try Self.tree(size: Self.maximumSize)
        let roots = try (0...Self.maximumSize).map { try tree.root(atSize: UInt64($0)) }
        var failures: [String] = []
        for n in 0...Self.maximumSize {
            for m in 0...n {
                let proof = try tree.consistencyProof(from: UInt64(m), to: UInt64(n))
                do {
                    try proof.verify(oldRoot: roots[m], newRoot: roots[n])
                } catch {
                    failures.append("\(m) to \(n): \(error)")
                }
                // A proof never proves consistency with the root of another size.
                if m > 0 && m < n && m + 1 < n {
                    if (try? proof.verify(oldRoot: roots[m + 1], newRoot: roots[n])) != nil {
                        failures.append("\(m) to \(n) accepted the root of \(m + 1)")
                    }
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
    }

    @Test("Random leaves and sizes of a 5000-leaf tree give proofs that verify, and tampered ones that do not")
    func randomLargeSizes() throws {
        let size = 5000
        let tree = try Self.tree(size: size)
        var random = SeededRandom(seed: 6962)
        for _ in 0..<300 {
            let n = UInt64.random(in: 1...UInt64(size), using: &random)
            let m = UInt64.random(in: 0..<n, using: &random)
            let newRoot = try tree.root(atSize: n)
            let inclusion = try tree.inclusionProof(leafIndex: m, treeSize: n)
            try inclusion.verify(leafHash: try tree.leafHash(at: m), root: newRoot)
            #expect(throws: MerkleError.self) {
                try inclusion.verify(leafHash: TreeHasher.leafHash(testEntry(-1)), root: newRoot)
            }

            let old = UInt64.random(in: 1...n, using: &random)
            let oldRoot = try tree.root(atSize: old)
            let consistency = try tree.consistencyProof(from: old, to: n)
            try consistency.verify(oldRoot: oldRoot, newRoot: newRoot)
            if !consistency.hashes.isEmpty {
                var hashes = consistency.hashes
                let i = Int.random(in: hashes.indices, using: &random)
                var bytes = hashes[i].bytes
                bytes[Int.random(in: 0..<32, using: &random)] ^= 1
                hashes[i] = try MerkleHash(bytes: bytes)
                let tampered = ConsistencyProof(oldSize: old, newSize: n, hashes: hashes)
                #expect(throws: MerkleError.self) { try tampered.verify(oldRoot: oldRoot, newRoot: newRoot) }
            }
        }
    }

    @Test("Proofs survive their binary encoding")
    func encodingRoundTrip() throws {
        let tree = try Self.tree(size: 37)
        let inclusion = try tree.inclusionProof(leafIndex: 21, treeSize: 37)
        #expect(try InclusionProof(parsing: inclusion.serialized) == inclusion)
        #expect(inclusion.serialized.count == 17 + 32 * inclusion.hashes.count)
        let consistency = try tree.consistencyProof(from: 13, to: 37)
        #expect(try ConsistencyProof(parsing: consistency.serialized) == consistency)
    }

    @Test("Malformed proof encodings are rejected with the reason")
    func malformedEncodings() throws {
        let tree = try Self.tree(size: 9)
        let good = try tree.inclusionProof(leafIndex: 3, treeSize: 9).serialized
        let cases: [([UInt8], String)] = [
            ([], "The proof cannot be read: an encoded inclusion proof needs at least 17 bytes, got 0."),
            (Array(good.dropLast()),
             "The proof cannot be read: an encoded inclusion proof with 4 hashes is 145 bytes long, got 144."),
            (good + [0],
             "The proof cannot be read: an encoded inclusion proof with 4 hashes is 145 bytes long, got 146."),
            (Array(good.prefix(16)) + [200],
             "The proof cannot be read: an encoded inclusion proof claims 200 hashes, more than 128."),
        ]
        for (bytes, message) in cases {
            let error = #expect(throws: MerkleError.self) { try InclusionProof(parsing: bytes) }
            #expect(error?.description == message)
        }
    }
}
