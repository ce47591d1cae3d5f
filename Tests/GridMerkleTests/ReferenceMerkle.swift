@testable import GridMerkle

/// The RFC 9162 §2.1 definitions written as literally as possible (recursive, O(n) per call), to check the real
/// implementation against.
enum ReferenceMerkle {
    static func split(_ n: Int) -> Int {
        var k = 1
        while k * 2 < n { k *= 2 }
        return k
    }

    /// MTH(D[n]) over leaf hashes.
    static func root(_ leaves: ArraySlice<MerkleHash>) -> MerkleHash {
        if leaves.isEmpty { return TreeHasher.emptyRoot }
        if leaves.count == 1 { return leaves[leaves.startIndex] }
        let k = split(leaves.count)
        let mid = leaves.startIndex + k
        return TreeHasher.nodeHash(root(leaves[..<mid]), root(leaves[mid...]))
    }

    /// PATH(m, D[n]).
    static func path(_ m: Int, _ leaves: ArraySlice<MerkleHash>) -> [MerkleHash] {
        if leaves.count <= 1 { return [] }
        let k = split(leaves.count)
        let mid = leaves.startIndex + k
        if m < k {
            return path(m, leaves[..<mid]) + [root(leaves[mid...])]
        }
        return path(m - k, leaves[mid...]) + [root(leaves[..<mid])]
    }

    /// PROOF(m, D[n]) = SUBPROOF(m, D[n], true).
    static func proof(_ m: Int, _ leaves: ArraySlice<MerkleHash>) -> [MerkleHash] {
        if m == 0 || m == leaves.count { return [] }
        return subproof(m, leaves, true)
    }

    static func subproof(_ m: Int, _ leaves: ArraySlice<MerkleHash>, _ b: Bool) -> [MerkleHash] {
        if m == leaves.count { return b ? [] : [root(leaves)] }
        let k = split(leaves.count)
        let mid = leaves.startIndex + k
        if m <= k {
            return subproof(m, leaves[..<mid], b) + [root(leaves[mid...])]
        }
        return subproof(m - k, leaves[mid...], false) + [root(leaves[..<mid])]
    }
}

/// Leaf `i` of the generated test trees.
func testEntry(_ i: Int) -> [UInt8] {
    Array("entry \(i)".utf8)
}
