/// The outcome of `LedgerVerifier.verify`: how much of the ledger checked out, and the first problem found.
public struct LedgerVerification: Hashable, Sendable, CustomStringConvertible {
    /// The first thing found wrong: the entry (when one is to blame) and why.
    public struct Failure: Hashable, Sendable, CustomStringConvertible {
        /// The seq of the first bad entry, or nil when the problem is not one entry's (operator, cache).
        public let seq: Int64?
        /// A full sentence saying what is wrong.
        public let reason: String

        package init(seq: Int64?, reason: String) {
            self.seq = seq
            self.reason = reason
        }

        public var description: String {
            if let seq { return "Entry \(seq) is bad: \(reason)" }
            return reason
        }
    }

    /// The number of entries that checked out, from seq 1 on.
    public let verifiedCount: Int64
    /// The hash of the last entry that checked out, or nil when none did.
    public let headHash: [UInt8]?
    /// Balances and jobs replayed from the entries that checked out.
    public let sheet: BalanceSheet
    /// The first problem, or nil when the whole ledger is valid.
    public let failure: Failure?
    /// Operator-signed entries whose signatures a valid checkpoint covered, or that an earlier verification
    /// covered (`VerificationScope.since`), instead of being checked one by one.
    public var coveredSignatures = 0

    package init(verifiedCount: Int64, headHash: [UInt8]?, sheet: BalanceSheet, failure: Failure?) {
        self.verifiedCount = verifiedCount
        self.headHash = headHash
        self.sheet = sheet
        self.failure = failure
    }

    /// True when every entry, link and cached balance checked out.
    public var isValid: Bool { failure == nil }

    public var description: String {
        if let failure { return "The ledger is invalid after \(verifiedCount) good entries. \(failure)" }
        let signatures = coveredSignatures == 0
            ? "every signature"
            : "\(verifiedCount - Int64(coveredSignatures)) signatures checked and \(coveredSignatures) covered by "
                + "verified checkpoints"
        return "The ledger is valid: \(verifiedCount) entries, \(signatures), every link, balance, Merkle tree node "
            + "and checkpoint checked."
    }
}
