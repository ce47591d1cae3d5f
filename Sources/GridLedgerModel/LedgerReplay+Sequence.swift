import GridCore
import GridMerkle

/// Verifying entries held in memory (a replica's, a test's), with no database.
extension LedgerReplay {
    /// Verifies `entries`, which must start at seq 1, and the signed checkpoints among them: every signature, link,
    /// hash and credit rule, and each checkpoint's signature by `operatorID`, origin and root at its size.
    ///
    /// Returns how far the entries checked out and the first failure; the balances replayed are in `sheet`.
    public static func verify(
        _ entries: some Sequence<LedgerEntry>, checkpoints: [SignedCheckpoint] = [], operator operatorID: PeerID
    ) -> LedgerVerification {
        var replay = LedgerReplay(operator: operatorID)
        var pending = checkpoints.sorted { $0.checkpoint.size < $1.checkpoint.size }[...]
        func finish(_ failure: LedgerVerification.Failure?) -> LedgerVerification {
            LedgerVerification(verifiedCount: replay.count, headHash: replay.count > 0 ? replay.prevHash : nil,
                               sheet: replay.sheet, failure: failure)
        }
        func checkpointsDue() -> LedgerVerification.Failure? {
            while let next = pending.first, next.checkpoint.size <= UInt64(replay.count) {
                pending = pending.dropFirst()
                if let failure = replay.check(next) { return failure }
            }
            return nil
        }
        if let failure = checkpointsDue() { return finish(failure) }
        for entry in entries {
            if let failure = replay.append(entry) { return finish(failure) }
            if let failure = checkpointsDue() { return finish(failure) }
        }
        if let next = pending.first {
            return finish(.init(seq: replay.count + 1, reason: "a checkpoint claims \(next.checkpoint.size) entries "
                + "but only \(replay.count) were given."))
        }
        return finish(nil)
    }

    /// Checks the next entry, its signature included; returns the failure and changes nothing when it is bad.
    public mutating func append(_ entry: LedgerEntry) -> LedgerVerification.Failure? {
        check(PreparedEntry(entry, checkSignature: true, cache: signatures))
    }

    /// Checks a signed checkpoint of the entries appended so far: its signature by the operator, its origin, and
    /// the rebuilt root.
    public mutating func check(_ signed: SignedCheckpoint) -> LedgerVerification.Failure? {
        let size = Int64(clamping: signed.checkpoint.size)
        guard size == count else {
            return .init(seq: nil, reason: "The checkpoint of \(size) entries was given after \(count) entries.")
        }
        return checkCheckpoint(size: size, CheckpointValidity(text: signed.serialized, operator: operatorID))
    }

    /// The number of entries checked so far.
    public var size: Int64 { count }

    /// Balances and jobs replayed from the entries checked so far.
    public var balances: BalanceSheet { sheet }
}
