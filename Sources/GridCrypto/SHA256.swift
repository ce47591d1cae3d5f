import CSodium

/// Streaming SHA-256 from libsodium, for hashing several pieces without concatenating them first.
public struct SHA256: Sendable {
    /// Length of a SHA-256 digest in bytes.
    public static let digestLength = Int(crypto_hash_sha256_BYTES)

    private var state = crypto_hash_sha256_state()

    /// Starts a new hash.
    public init() {
        Sodium.ensureInitialized()
        _ = crypto_hash_sha256_init(&state)
    }

    /// Feeds the bytes of `buffer` into the hash.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return }
        _ = crypto_hash_sha256_update(&state, base.assumingMemoryBound(to: UInt8.self), UInt64(buffer.count))
    }

    /// Feeds one byte into the hash.
    public mutating func update(byte: UInt8) {
        var value = byte
        _ = crypto_hash_sha256_update(&state, &value, 1)
    }

    /// Feeds `bytes` into the hash, without copying when they are stored contiguously.
    public mutating func update<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            update(UnsafeRawBufferPointer(buffer))
        }
        if done == nil {
            Array(bytes).withUnsafeBytes { update($0) }
        }
    }

    /// Writes the 32-byte digest into the start of `output`, which must hold at least 32 bytes.
    ///
    /// The hash cannot be fed more bytes afterwards.
    public mutating func finalize(into output: UnsafeMutableRawBufferPointer) {
        precondition(output.count >= Self.digestLength, "SHA-256 output buffer must hold 32 bytes")
        guard let base = output.baseAddress else { return }
        _ = crypto_hash_sha256_final(&state, base.assumingMemoryBound(to: UInt8.self))
    }

    /// Returns the 32-byte digest; the hash cannot be fed more bytes afterwards.
    public mutating func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Self.digestLength)
        out.withUnsafeMutableBytes { finalize(into: $0) }
        return out
    }
}
