/// Why a replica did not follow what the matchmaker sent.
public struct ReplicaError: Error, CustomStringConvertible, Sendable {
    private enum Code: Sendable {
        case refused(String)
        case fork(String)
        case holdsEvidence(String)
    }

    private let code: Code

    /// What was sent does not check out (a bad entry, proof or message); nothing of the page was kept.
    public static func refused(_ reason: String) -> ReplicaError { ReplicaError(code: .refused(reason)) }
    /// Two operator-signed checkpoints conflict; both were kept as evidence.
    static func fork(_ reason: String) -> ReplicaError { ReplicaError(code: .fork(reason)) }
    /// The replica recorded a fork before and follows this ledger no more.
    static func holdsEvidence(_ reason: String) -> ReplicaError { ReplicaError(code: .holdsEvidence(reason)) }

    /// True when the operator signed two checkpoints that cannot both be true (now or before).
    public var isFork: Bool {
        switch code {
        case .fork, .holdsEvidence: return true
        case .refused: return false
        }
    }

    public var description: String {
        switch code {
        case .refused(let reason):
            return "The replica refused what the matchmaker sent: \(reason)."
        case .fork(let reason):
            return "The matchmaker's ledger forked: \(reason). Both signed checkpoints are kept in the replica as "
                + "evidence (`grid ledger verify` shows them), and it will not follow this ledger again."
        case .holdsEvidence(let reason):
            return "The replica holds evidence that the matchmaker's ledger forked (\(reason)), so it follows it no "
                + "more; `grid ledger verify` shows the two signed checkpoints."
        }
    }
}
