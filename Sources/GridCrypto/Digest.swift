import CSodium

/// Hash functions from libsodium.
public enum Digest {
    /// SHA-256 of `bytes` (32 bytes).
    public static func sha256<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> [UInt8] {
        Sodium.ensureInitialized()
        var out = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_BYTES))
        let input = Array(bytes)
        _ = crypto_hash_sha256(&out, input, UInt64(input.count))
        return out
    }

    /// BLAKE2b of `bytes` with a 32-byte output.
    public static func blake2b<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> [UInt8] {
        Sodium.ensureInitialized()
        var out = [UInt8](repeating: 0, count: 32)
        let input = Array(bytes)
        _ = crypto_generichash(&out, 32, input, UInt64(input.count), nil, 0)
        return out
    }

    /// `count` cryptographically random bytes.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        Sodium.ensureInitialized()
        var out = [UInt8](repeating: 0, count: count)
        randombytes_buf(&out, count)
        return out
    }
}
