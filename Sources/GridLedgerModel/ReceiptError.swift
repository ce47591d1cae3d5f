import GridCore

/// Why a receipt could not be made or does not prove what it claims.
public struct ReceiptError: Error, CustomStringConvertible, Sendable, Equatable {
    private enum Code: Sendable, Equatable {
        case noSuchEntry(Int64)
        case notSettled(String)
        case notCheckpointed(seq: Int64)
        case notOperator(PeerID)
        case untrustedSigner(expected: PeerID, got: PeerID)
        case badReceipt(String)
    }

    private let code: Code

    package static func noSuchEntry(_ seq: Int64) -> ReceiptError { ReceiptError(code: .noSuchEntry(seq)) }
    package static func notSettled(_ job: String) -> ReceiptError { ReceiptError(code: .notSettled(job)) }
    package static func notCheckpointed(seq: Int64) -> ReceiptError { ReceiptError(code: .notCheckpointed(seq: seq)) }
    package static func notOperator(_ peer: PeerID) -> ReceiptError { ReceiptError(code: .notOperator(peer)) }
    package static func untrustedSigner(expected: PeerID, got: PeerID) -> ReceiptError {
        ReceiptError(code: .untrustedSigner(expected: expected, got: got))
    }
    package static func badReceipt(_ reason: String) -> ReceiptError { ReceiptError(code: .badReceipt(reason)) }

    public var description: String {
        switch code {
        case .noSuchEntry(let seq):
            return "There is no ledger entry \(seq)."
        case .notSettled(let job):
            return "Job \(job) is not settled in the ledger yet."
        case .notCheckpointed(let seq):
            return "Entry \(seq) is not covered by a signed checkpoint yet; the matchmaker signs one within a second."
        case .notOperator(let peer):
            return "Peer \(peer.short) is not this ledger's operator and cannot sign its checkpoints."
        case .untrustedSigner(let expected, let got):
            return "The checkpoint is signed by peer \(got.short), not by the trusted operator \(expected.short)."
        case .badReceipt(let reason):
            return "The receipt is not valid: \(reason)."
        }
    }
}
