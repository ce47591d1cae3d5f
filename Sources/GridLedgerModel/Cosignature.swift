import GridCore
import GridCrypto
import GridMerkle

/// A witness's signature of a checkpoint it verified (docs/ledger.md, "Witnesses").
///
/// The signed bytes are a label, a zero byte, then the checkpoint's body (the four lines the operator signs), so a
/// cosignature can never pass for the operator's own checkpoint signature or for any other signed message.
public enum Cosignature {
    static let label = Array("PeerGrid checkpoint cosignature v1".utf8) + [0]

    /// The bytes a witness signs for `checkpoint`.
    public static func message(for checkpoint: Checkpoint) -> [UInt8] {
        label + Array(checkpoint.body.utf8)
    }

    /// `identity`'s cosignature of `checkpoint`.
    public static func sign(_ checkpoint: Checkpoint, by identity: Identity) -> [UInt8] {
        identity.sign(message(for: checkpoint))
    }

    /// True when `signature` is `witness`'s cosignature of `checkpoint`.
    public static func isValid(_ signature: [UInt8], by witness: PeerID, of checkpoint: Checkpoint) -> Bool {
        SignatureVerifier.isValid(signature: signature, of: message(for: checkpoint), publicKey: witness.publicKey)
    }
}
