@preconcurrency import Crypto

/// Streaming SHA-256, for hashing several pieces without concatenating them first.
///
/// BoringSSL's (through swift-crypto), not libsodium's: it uses the CPU's SHA extensions where there are some, about
/// five times libsodium's portable code on a 600-byte ledger leaf here, and the ledger hashes every entry twice and
/// every Merkle node once, in the matchmaker, its replicas and every verification (docs/PERFORMANCE.md).
public struct SHA256: Sendable {
    /// Length of a SHA-256 digest in bytes.
    public static let digestLength = Crypto.SHA256.byteCount

    private var state = Crypto.SHA256()

    /// Starts a new hash.
    public init() {}

    /// Feeds the bytes of `buffer` into the hash.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard !buffer.isEmpty else { return }
        state.update(bufferPointer: buffer)
    }

    /// Feeds one byte into the hash.
    public mutating func update(byte: UInt8) {
        withUnsafeBytes(of: byte) { update($0) }
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
        let digest = state.finalize()
        digest.withUnsafeBytes { bytes in
            output.copyMemory(from: bytes)
        }
    }

    /// Returns the 32-byte digest; the hash cannot be fed more bytes afterwards.
    public mutating func finalize() -> [UInt8] {
        Array(state.finalize())
    }
}
