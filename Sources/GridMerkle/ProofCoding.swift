/// The shared binary layout of proofs: two big-endian UInt64 fields, a count byte and `count` 32-byte hashes.
enum ProofCoding {
    /// No valid proof in a tree of fewer than 2^64 leaves has more hashes than this.
    static let maximumHashes = 128
    static let headerLength = 17

    static func encode(_ a: UInt64, _ b: UInt64, _ hashes: [MerkleHash]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(headerLength + hashes.count * MerkleHash.length)
        for value in [a, b] {
            for shift in stride(from: 56, through: 0, by: -8) {
                out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
            }
        }
        out.append(UInt8(min(hashes.count, maximumHashes)))
        for hash in hashes.prefix(maximumHashes) {
            hash.withUnsafeBytes { out.append(contentsOf: $0) }
        }
        return out
    }

    static func decode(_ bytes: [UInt8], kind: String) throws -> (UInt64, UInt64, [MerkleHash]) {
        guard bytes.count >= headerLength else {
            throw MerkleError.malformedProof(
                "an encoded \(kind) needs at least \(headerLength) bytes, got \(bytes.count)")
        }
        func integer(at start: Int) -> UInt64 {
            bytes[start..<start + 8].reduce(0) { $0 << 8 | UInt64($1) }
        }
        let count = Int(bytes[16])
        guard count <= maximumHashes else {
            throw MerkleError.malformedProof("an encoded \(kind) claims \(count) hashes, more than \(maximumHashes)")
        }
        let expected = headerLength + count * MerkleHash.length
        guard bytes.count == expected else {
            throw MerkleError.malformedProof(
                "an encoded \(kind) with \(count) hashes is \(expected) bytes long, got \(bytes.count)")
        }
        var hashes: [MerkleHash] = []
        hashes.reserveCapacity(count)
        for i in 0..<count {
            let start = headerLength + i * MerkleHash.length
            hashes.append(try MerkleHash(bytes: bytes[start..<start + MerkleHash.length]))
        }
        return (integer(at: 0), integer(at: 8), hashes)
    }
}
