import GridCrypto
import GridTestKit
import Testing
@testable import GridMerkle

@Suite("RFC 6962 tree hashing")
struct TreeHashingTests {
    @Test("Leaf hashes match the published level-0 node hashes")
    func leafHashes() {
        for (i, leaf) in RFC6962Vectors.leaves.enumerated() {
            #expect(TreeHasher.leafHash(leaf).hex == RFC6962Vectors.nodes[0][i], "leaf \(i)")
        }
    }

    @Test("Node hashes of every level match the published ones")
    func nodeHashes() throws {
        let tree = try RFC6962Vectors.tree()
        for (level, hashes) in RFC6962Vectors.nodes.enumerated() {
            for (index, expected) in hashes.enumerated() {
                #expect(tree.store.node(level: level, index: UInt64(index))?.hex == expected, "node \(level)/\(index)")
            }
        }
    }

    @Test("The root of every size from 0 to 8 matches the published root", arguments: 0...8)
    func roots(size: Int) throws {
        var tree = MerkleTree(store: InMemoryNodeStore())
        try tree.append(contentsOf: RFC6962Vectors.leaves.prefix(size))
        #expect(tree.root.hex == RFC6962Vectors.roots[size])
        let full = try RFC6962Vectors.tree()
        #expect(try full.root(atSize: UInt64(size)).hex == RFC6962Vectors.roots[size])
    }

    @Test("The compact tree gives the same roots as the stored tree")
    func compactRoots() throws {
        var compact = CompactMerkleTree()
        #expect(compact.root == TreeHasher.emptyRoot)
        for (i, leaf) in RFC6962Vectors.leaves.enumerated() {
            try compact.append(leaf)
            #expect(compact.root.hex == RFC6962Vectors.roots[i + 1])
            #expect(compact.edge.count == (i + 1).nonzeroBitCount)
        }
    }

    @Test("Streaming SHA-256 equals one-shot SHA-256 however the input is split")
    func streamingSHA256() {
        var random = SeededRandom(seed: 7)
        for length in [0, 1, 55, 56, 63, 64, 65, 200] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            let cut = length == 0 ? 0 : Int.random(in: 0...length, using: &random)
            var hasher = SHA256()
            hasher.update(bytes[..<cut])
            hasher.update(bytes[cut...])
            #expect(hasher.finalize() == Digest.sha256(bytes), "length \(length)")
        }
    }

    @Test("A hash is exactly 32 bytes and round-trips through hex and base64")
    func hashForms() throws {
        let hash = TreeHasher.leafHash([1, 2, 3])
        #expect(try MerkleHash(bytes: hash.bytes) == hash)
        #expect(MerkleHash(hex: hash.hex) == hash)
        #expect(MerkleHash(base64: hash.base64) == hash)
        #expect(MerkleHash(hex: "abcd") == nil)
        #expect(MerkleHash(base64: "AAAA") == nil)
        let error = #expect(throws: MerkleError.self) { try MerkleHash(bytes: [UInt8](repeating: 0, count: 31)) }
        #expect(error?.description == "A Merkle hash must be 32 bytes, got 31.")
    }
}
