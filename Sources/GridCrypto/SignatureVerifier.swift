import CSodium

/// Checks Ed25519 signatures.
public enum SignatureVerifier {
    /// True when `signature` is a valid signature of `message` by `publicKey`.
    public static func isValid<Message: Collection<UInt8>>(
        signature: [UInt8], of message: Message, publicKey: [UInt8]
    ) -> Bool {
        Sodium.ensureInitialized()
        guard signature.count == SigningKeyPair.signatureLength,
              publicKey.count == SigningKeyPair.publicKeyLength else { return false }
        let bytes = Array(message)
        return crypto_sign_verify_detached(signature, bytes, UInt64(bytes.count), publicKey) == 0
    }
}
