import GridCrypto

/// A signed entry as sequenced into the ledger: its number, the hash of the entry before it, and its own hash.
///
/// `hash = SHA-256(leafBytes)`, where the leaf bytes are
/// `prevHash (32) ‖ seq (u64 BE) ‖ body length (u32 BE) ‖ canonical body ‖ signature field`, where the
/// signature field is the 64-byte signature, followed for a batch signature by its proof
/// (`SignedEntry.signatureField`).
public struct LedgerEntry: Hashable, Sendable {
    /// The `prevHash` of the first entry: 32 zero bytes.
    public static let genesisHash = [UInt8](repeating: 0, count: 32)

    /// Position in the ledger: 1, 2, 3 …
    public let seq: Int64
    public let signed: SignedEntry
    /// The hash of entry `seq - 1`, or `genesisHash` for the first entry.
    public let prevHash: [UInt8]
    /// SHA-256 of `leafBytes`; read from storage, so `verify` compares it with the recomputed value.
    public let hash: [UInt8]

    /// Sequences `signed` after the entry whose hash is `prevHash`, computing this entry's hash.
    public init(seq: Int64, signed: SignedEntry, prevHash: [UInt8]) {
        let leaf = Self.leafBytes(
            prevHash: prevHash, seq: seq, canonicalBody: signed.body.canonicalBytes,
            signatureField: signed.signatureField)
        self.init(seq: seq, signed: signed, prevHash: prevHash, hash: Digest.sha256(leaf))
    }

    /// An entry as stored, with the hash it was stored with (which may not match if the row was edited).
    package init(seq: Int64, signed: SignedEntry, prevHash: [UInt8], hash: [UInt8]) {
        self.seq = seq
        self.signed = signed
        self.prevHash = prevHash
        self.hash = hash
    }

    public var body: EntryBody { signed.body }

    /// The bytes this entry's hash is taken over, and the leaf data a Merkle tree of the ledger is built from.
    public var leafBytes: [UInt8] {
        Self.leafBytes(
            prevHash: prevHash, seq: seq, canonicalBody: body.canonicalBytes, signatureField: signed.signatureField)
    }

    /// The hash this entry should have given its content.
    public var computedHash: [UInt8] { Digest.sha256(leafBytes) }

    /// The single definition of an entry's leaf bytes (see the type's documentation).
    package static func leafBytes(
        prevHash: [UInt8], seq: Int64, canonicalBody: [UInt8], signatureField: [UInt8]
    ) -> [UInt8] {
        var writer = ByteWriter(capacity: prevHash.count + 12 + canonicalBody.count + signatureField.count)
        writer.raw(prevHash)
        writer.u64(UInt64(bitPattern: seq))
        writer.u32(UInt32(truncatingIfNeeded: canonicalBody.count))
        writer.raw(canonicalBody)
        writer.raw(signatureField)
        return writer.bytes
    }

    /// Decodes leaf bytes (as a replica receives them) and recomputes the hash; signature and rules are not checked.
    public init(leafBytes bytes: [UInt8]) throws(LedgerError) {
        var reader = ByteReader(bytes)
        let prevHash = try reader.raw(32, "previous hash")
        let seq = Int64(bitPattern: try reader.u64("sequence number"))
        guard seq >= 1 else {
            throw .malformedEncoding("the sequence number must be 1 or more, got \(seq)")
        }
        let length = Int(try reader.u32("body length"))
        let body = try EntryBody(canonicalBytes: try reader.raw(length, "entry body"))
        let signed = try SignedEntry(body: body, signatureField: reader.rest())
        self.init(seq: seq, signed: signed, prevHash: prevHash, hash: Digest.sha256(bytes))
    }
}
