import CSodium

/// Hash functions and random bytes.
public enum Digest {
    /// SHA-256 of `bytes` (32 bytes), by `SHA256`.
    public static func sha256<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> [UInt8] {
        var hash = SHA256()
        hash.update(bytes)
        return hash.finalize()
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
