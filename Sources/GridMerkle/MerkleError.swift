/// A failure of a Merkle tree operation, a node store, or a proof that does not verify or cannot be read.
public struct MerkleError: Error, CustomStringConvertible, Sendable, Equatable {
    private enum Code: Sendable, Equatable {
        case badHashLength(Int)
        case nodeOutOfOrder(level: Int, index: UInt64)
        case missingNode(level: Int, index: UInt64)
        case treeTooLarge
        case badEdge(size: UInt64, count: Int)
        case sizeBeyondTree(requested: UInt64, size: UInt64)
        case leafIndexOutOfRange(index: UInt64, treeSize: UInt64)
        case sizesOutOfOrder(old: UInt64, new: UInt64)
        case proofTooLong(expected: String)
        case proofTooShort
        case nonEmptyProofForEqualSizes
        case emptyProof
        case rootMismatch(what: String)
        case malformedProof(reason: String)
    }

    private let code: Code

    static func badHashLength(_ count: Int) -> MerkleError {
        MerkleError(code: .badHashLength(count))
    }
    static func nodeOutOfOrder(level: Int, index: UInt64) -> MerkleError {
        MerkleError(code: .nodeOutOfOrder(level: level, index: index))
    }
    static func missingNode(level: Int, index: UInt64) -> MerkleError {
        MerkleError(code: .missingNode(level: level, index: index))
    }
    static let treeTooLarge = MerkleError(code: .treeTooLarge)
    static func badEdge(size: UInt64, count: Int) -> MerkleError {
        MerkleError(code: .badEdge(size: size, count: count))
    }
    static func sizeBeyondTree(_ requested: UInt64, size: UInt64) -> MerkleError {
        MerkleError(code: .sizeBeyondTree(requested: requested, size: size))
    }
    static func leafIndexOutOfRange(_ index: UInt64, treeSize: UInt64) -> MerkleError {
        MerkleError(code: .leafIndexOutOfRange(index: index, treeSize: treeSize))
    }
    static func sizesOutOfOrder(old: UInt64, new: UInt64) -> MerkleError {
        MerkleError(code: .sizesOutOfOrder(old: old, new: new))
    }
    static func proofTooLong(_ expected: String) -> MerkleError {
        MerkleError(code: .proofTooLong(expected: expected))
    }
    static let proofTooShort = MerkleError(code: .proofTooShort)
    static let nonEmptyProofForEqualSizes = MerkleError(code: .nonEmptyProofForEqualSizes)
    static let emptyProof = MerkleError(code: .emptyProof)
    static func rootMismatch(_ what: String) -> MerkleError {
        MerkleError(code: .rootMismatch(what: what))
    }
    static func malformedProof(_ reason: String) -> MerkleError {
        MerkleError(code: .malformedProof(reason: reason))
    }

    public var description: String {
        switch code {
        case .badHashLength(let count):
            return "A Merkle hash must be 32 bytes, got \(count)."
        case .nodeOutOfOrder(let level, let index):
            return "The node store refused node \(index) at level \(level): nodes must be stored once, in order."
        case .missingNode(let level, let index):
            return "The node store has no node \(index) at level \(level); the stored tree is incomplete."
        case .treeTooLarge:
            return "The Merkle tree cannot grow past 2^63 leaves."
        case .badEdge(let size, let count):
            return "A tree of \(size) leaves has \(size.nonzeroBitCount) right-edge hashes, not \(count)."
        case .sizeBeyondTree(let requested, let size):
            return "Tree size \(requested) was requested but the tree has only \(size) leaves."
        case .leafIndexOutOfRange(let index, let treeSize):
            return "Leaf index \(index) is not in a tree of \(treeSize) leaves."
        case .sizesOutOfOrder(let old, let new):
            return "A consistency proof from size \(old) to the smaller size \(new) is impossible: trees only grow."
        case .proofTooLong(let expected):
            return "The proof has more hashes than a proof for \(expected) can have."
        case .proofTooShort:
            return "The proof has fewer hashes than the tree sizes require."
        case .nonEmptyProofForEqualSizes:
            return "A consistency proof between equal sizes or from the empty tree must be empty."
        case .emptyProof:
            return "The consistency proof is empty but the sizes differ."
        case .rootMismatch(let what):
            return "The proof does not lead to the expected root: \(what)."
        case .malformedProof(let reason):
            return "The proof cannot be read: \(reason)."
        }
    }
}
