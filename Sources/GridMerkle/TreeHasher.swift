import GridCrypto

/// RFC 6962 / RFC 9162 tree hashing with SHA-256: domain-separated leaf and node hashes.
public enum TreeHasher {
    /// The root of the empty tree: SHA-256 of no bytes.
    public static let emptyRoot: MerkleHash = {
        var hasher = SHA256()
        return finish(&hasher)
    }()

    /// The hash of a leaf: SHA-256(0x00 || entry).
    public static func leafHash<Entry: Collection<UInt8>>(_ entry: Entry) -> MerkleHash {
        var hasher = SHA256()
        hasher.update(byte: 0x00)
        hasher.update(entry)
        return finish(&hasher)
    }

    /// The hash of an interior node: SHA-256(0x01 || left || right).
    public static func nodeHash(_ left: MerkleHash, _ right: MerkleHash) -> MerkleHash {
        var hasher = SHA256()
        hasher.update(byte: 0x01)
        left.withUnsafeBytes { hasher.update($0) }
        right.withUnsafeBytes { hasher.update($0) }
        return finish(&hasher)
    }

    private static func finish(_ hasher: inout SHA256) -> MerkleHash {
        var value = SIMD32<UInt8>()
        Swift.withUnsafeMutableBytes(of: &value) { hasher.finalize(into: $0) }
        return MerkleHash(value: value)
    }
}
