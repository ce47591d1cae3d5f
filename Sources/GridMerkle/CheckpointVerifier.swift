import GridCore

/// Decides whether to trust a new checkpoint of one log, given the last trusted one.
///
/// Pure value type: a peer keeps one per log it follows and persists `trusted` itself. A new checkpoint is
/// accepted only when it is signed by the log's key, names the log's origin, does not go back in size or time,
/// and is proved consistent with the trusted checkpoint.
public struct CheckpointVerifier: Sendable {
    /// Origin name the checkpoints must carry.
    public let origin: String
    /// Ed25519 public key of the peer that signs the log's checkpoints.
    public let publicKey: [UInt8]
    /// The latest accepted checkpoint, nil before the first one.
    public private(set) var trusted: Checkpoint?

    public init(origin: String, publicKey: [UInt8], trusted: Checkpoint? = nil) {
        self.origin = origin
        self.publicKey = publicKey
        self.trusted = trusted
    }

    /// Checks `signed` against the trusted checkpoint without changing it.
    ///
    /// `proof` must prove consistency from the trusted size to the new size whenever the new size is larger;
    /// it is ignored when there is no trusted checkpoint yet (trust on first use).
    public func check(_ signed: SignedCheckpoint, proof: ConsistencyProof?) throws {
        try checkSignatureAndOrigin(signed)
        let new = signed.checkpoint
        guard let trusted else { return }
        guard new.size >= trusted.size else {
            throw CheckpointError.sizeWentBackwards(trusted: trusted.size, new: new.size)
        }
        guard new.timestamp >= trusted.timestamp else {
            throw CheckpointError.timestampWentBackwards(trusted: trusted.timestamp, new: new.timestamp)
        }
        if new.size == trusted.size {
            guard new.root == trusted.root else { throw CheckpointError.forkAtSameSize(new.size) }
            return
        }
        if trusted.size == 0 { return }
        guard let proof else { throw CheckpointError.proofRequired(from: trusted.size, to: new.size) }
        guard proof.oldSize == trusted.size, proof.newSize == new.size else {
            throw CheckpointError.proofForOtherSizes(
                proofOld: proof.oldSize, proofNew: proof.newSize, trusted: trusted.size, new: new.size)
        }
        do {
            try proof.verify(oldRoot: trusted.root, newRoot: new.root)
        } catch let error as MerkleError {
            throw CheckpointError.inconsistent(error)
        }
    }

    /// Checks `signed` as `check(_:proof:)` does and, when it passes, makes it the trusted checkpoint.
    public mutating func update(to signed: SignedCheckpoint, proof: ConsistencyProof?) throws {
        try check(signed, proof: proof)
        trusted = signed.checkpoint
    }

    /// Checks that `signed` is a valid checkpoint of this log whose root is `recomputedRoot`, the root a replica
    /// computed from its own first `signed.checkpoint.size` entries.
    public func check(_ signed: SignedCheckpoint, recomputedRoot: MerkleHash) throws {
        try checkSignatureAndOrigin(signed)
        guard signed.checkpoint.root == recomputedRoot else {
            throw CheckpointError.rootMismatch(size: signed.checkpoint.size)
        }
    }

    private func checkSignatureAndOrigin(_ signed: SignedCheckpoint) throws {
        try signed.verify(publicKey: publicKey)
        guard signed.checkpoint.origin == origin else {
            throw CheckpointError.wrongOrigin(expected: origin, got: signed.checkpoint.origin)
        }
    }
}
