import CSodium

/// ChaCha20-Poly1305 (IETF) authenticated encryption with a 64-bit message counter as the nonce.
///
/// Each key is used by one sender only, so a counter that never repeats gives unique nonces.
public enum AEAD {
    public static let keyLength = Int(crypto_aead_chacha20poly1305_ietf_KEYBYTES)
    public static let tagLength = Int(crypto_aead_chacha20poly1305_ietf_ABYTES)

    static func nonce(_ counter: UInt64) -> [UInt8] {
        var nonce = [UInt8](repeating: 0, count: Int(crypto_aead_chacha20poly1305_ietf_NPUBBYTES))
        var c = counter.littleEndian
        withUnsafeBytes(of: &c) { raw in
            for i in 0..<8 { nonce[4 + i] = raw[i] }
        }
        return nonce
    }

    /// Encrypts `plaintext`; the result is the ciphertext followed by the 16-byte tag.
    public static func seal(_ plaintext: [UInt8], key: [UInt8], counter: UInt64) -> [UInt8] {
        Sodium.ensureInitialized()
        precondition(key.count == keyLength, "AEAD key must be \(keyLength) bytes")
        var out = [UInt8](repeating: 0, count: plaintext.count + tagLength)
        var outLength: UInt64 = 0
        let n = nonce(counter)
        _ = crypto_aead_chacha20poly1305_ietf_encrypt(
            &out, &outLength, plaintext, UInt64(plaintext.count), nil, 0, nil, n, key)
        return out
    }

    /// Decrypts and authenticates; throws `CryptoError.decryptionFailed` on any tampering or wrong counter.
    public static func open(_ sealed: [UInt8], key: [UInt8], counter: UInt64) throws -> [UInt8] {
        Sodium.ensureInitialized()
        guard key.count == keyLength, sealed.count >= tagLength else { throw CryptoError.decryptionFailed }
        var out = [UInt8](repeating: 0, count: sealed.count - tagLength)
        var outLength: UInt64 = 0
        let n = nonce(counter)
        guard crypto_aead_chacha20poly1305_ietf_decrypt(
            &out, &outLength, nil, sealed, UInt64(sealed.count), nil, 0, n, key) == 0 else {
            throw CryptoError.decryptionFailed
        }
        return out
    }
}
