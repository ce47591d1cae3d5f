import GridCore
import GridMerkle
import Synchronization

/// Batch signatures already found valid, so the one signature of a batch is checked once, not once per body.
///
/// An entry is taken as validly signed from the cache only when its own proof leads to the same root, for the same
/// batch size, with the same signature and author, as a batch that passed the Ed25519 check; a wrong proof or body
/// leads to another root and misses. Safe to share between threads; it keeps at least the most recent `capacity`
/// batches, at most twice that.
public final class SignatureCache: Sendable {
    private struct Key: Hashable {
        let root: MerkleHash
        let size: UInt64
        let signature: [UInt8]
        let author: PeerID
    }

    private let capacity: Int
    private let verified: Mutex<(current: Set<Key>, previous: Set<Key>)>

    /// A cache that remembers at least the last `capacity` batches (at least 1).
    public init(capacity: Int = 1_024) {
        self.capacity = max(1, capacity)
        verified = Mutex((current: [], previous: []))
    }

    func contains(root: MerkleHash, size: UInt64, signature: [UInt8], author: PeerID) -> Bool {
        let key = Key(root: root, size: size, signature: signature, author: author)
        return verified.withLock { $0.current.contains(key) || $0.previous.contains(key) }
    }

    func insert(root: MerkleHash, size: UInt64, signature: [UInt8], author: PeerID) {
        let key = Key(root: root, size: size, signature: signature, author: author)
        let capacity = capacity
        verified.withLock { sets in
            // Two generations: when the newer one is full it becomes the older, which is dropped, so memory stays
            // bounded while recent batches are still found.
            if sets.current.count >= capacity {
                sets.previous = sets.current
                sets.current = []
            }
            sets.current.insert(key)
        }
    }
}
