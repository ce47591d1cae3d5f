/// Why a checkpoint could not be built, read or trusted.
public struct CheckpointError: Error, CustomStringConvertible, Sendable, Equatable {
    private enum Code: Sendable, Equatable {
        case badOrigin(String)
        case malformed(String)
        case wrongSigner(expected: String, got: String)
        case badSignature
        case wrongOrigin(expected: String, got: String)
        case sizeWentBackwards(trusted: UInt64, new: UInt64)
        case timestampWentBackwards(trusted: UInt64, new: UInt64)
        case forkAtSameSize(UInt64)
        case proofRequired(from: UInt64, to: UInt64)
        case proofForOtherSizes(proofOld: UInt64, proofNew: UInt64, trusted: UInt64, new: UInt64)
        case inconsistent(String)
        case rootMismatch(size: UInt64)
    }

    private let code: Code

    static func badOrigin(_ reason: String) -> CheckpointError { CheckpointError(code: .badOrigin(reason)) }
    static func malformed(_ reason: String) -> CheckpointError { CheckpointError(code: .malformed(reason)) }
    static func wrongSigner(expected: String, got: String) -> CheckpointError {
        CheckpointError(code: .wrongSigner(expected: expected, got: got))
    }
    static let badSignature = CheckpointError(code: .badSignature)
    static func wrongOrigin(expected: String, got: String) -> CheckpointError {
        CheckpointError(code: .wrongOrigin(expected: expected, got: got))
    }
    static func sizeWentBackwards(trusted: UInt64, new: UInt64) -> CheckpointError {
        CheckpointError(code: .sizeWentBackwards(trusted: trusted, new: new))
    }
    static func timestampWentBackwards(trusted: UInt64, new: UInt64) -> CheckpointError {
        CheckpointError(code: .timestampWentBackwards(trusted: trusted, new: new))
    }
    static func forkAtSameSize(_ size: UInt64) -> CheckpointError { CheckpointError(code: .forkAtSameSize(size)) }
    static func proofRequired(from: UInt64, to: UInt64) -> CheckpointError {
        CheckpointError(code: .proofRequired(from: from, to: to))
    }
    static func proofForOtherSizes(proofOld: UInt64, proofNew: UInt64, trusted: UInt64, new: UInt64)
        -> CheckpointError {
        CheckpointError(code: .proofForOtherSizes(proofOld: proofOld, proofNew: proofNew, trusted: trusted, new: new))
    }
    static func inconsistent(_ error: MerkleError) -> CheckpointError {
        CheckpointError(code: .inconsistent(error.description))
    }
    static func rootMismatch(size: UInt64) -> CheckpointError { CheckpointError(code: .rootMismatch(size: size)) }

    /// True when this error means two checkpoints validly signed by the log's signer cannot both be true: a
    /// smaller size or an older timestamp than one trusted before, another root at the same size, no consistency
    /// between the two, or a root the entries do not give. Such a pair is evidence against the signer.
    public var isConflict: Bool {
        switch code {
        case .sizeWentBackwards, .timestampWentBackwards, .forkAtSameSize, .inconsistent, .rootMismatch: return true
        default: return false
        }
    }

    public var description: String {
        switch code {
        case .badOrigin(let reason):
            return "The checkpoint origin is not valid: \(reason)."
        case .malformed(let reason):
            return "The checkpoint cannot be read: \(reason)."
        case .wrongSigner(let expected, let got):
            return "The checkpoint is signed by peer \(got), not by the expected peer \(expected)."
        case .badSignature:
            return "The checkpoint signature is not valid: the checkpoint was altered or signed with another key."
        case .wrongOrigin(let expected, let got):
            return "The checkpoint is for the log \"\(got)\", not for \"\(expected)\"."
        case .sizeWentBackwards(let trusted, let new):
            return "The checkpoint size went backwards from the trusted \(trusted) to \(new)."
        case .timestampWentBackwards(let trusted, let new):
            return "The checkpoint timestamp went backwards from the trusted \(trusted) ms to \(new) ms."
        case .forkAtSameSize(let size):
            return "The checkpoint has the trusted size \(size) but a different root: the log has forked."
        case .proofRequired(let from, let to):
            return "A consistency proof from size \(from) to \(to) is needed to accept the checkpoint."
        case .proofForOtherSizes(let proofOld, let proofNew, let trusted, let new):
            return "The consistency proof is from size \(proofOld) to \(proofNew), "
                + "but the checkpoints have sizes \(trusted) and \(new)."
        case .inconsistent(let reason):
            return "The checkpoint is not consistent with the trusted one: \(reason)"
        case .rootMismatch(let size):
            return "The checkpoint root does not match the root recomputed from the \(size) local entries."
        }
    }
}
