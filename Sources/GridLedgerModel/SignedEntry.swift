import GridCore
import GridCrypto
import GridMerkle

/// An entry body with its author's Ed25519 signature: of the body's canonical encoding, or of a batch of bodies that
/// includes it (`BatchSignature`), in which case `batchProof` places the body in the batch.
public struct SignedEntry: Hashable, Sendable {
    public let body: EntryBody
    /// 64-byte Ed25519 signature by `body.author`. Never log it.
    public let signature: [UInt8]
    /// For a body signed as part of a batch: its inclusion proof in the batch's Merkle tree, whose root the signature
    /// signs. Nil for a plain signature of the body alone.
    public let batchProof: InclusionProof?
    /// True when this value was made by signing here, so the signature is valid by construction.
    package let knownValid: Bool

    /// Pairs a body with a plain signature received from elsewhere; `isSignatureValid` tells whether they match.
    public init(body: EntryBody, signature: [UInt8]) {
        self.init(body: body, signature: signature, batchProof: nil, knownValid: false)
    }

    package init(body: EntryBody, signature: [UInt8], batchProof: InclusionProof?, knownValid: Bool) {
        self.body = body
        self.signature = signature
        self.batchProof = batchProof
        self.knownValid = knownValid
    }

    /// Pairs a body with a signature field as `signatureField` writes it: the signature, then for a batch signature
    /// the proof. Nothing is checked but the layout (see `isSignatureValid`).
    public init(body: EntryBody, signatureField bytes: [UInt8]) throws(LedgerError) {
        let length = SigningKeyPair.signatureLength
        guard bytes.count >= length else {
            throw .malformedEncoding("the signature is \(bytes.count) bytes, not \(length)")
        }
        try self.init(body: body, signature: Array(bytes.prefix(length)),
                      batchProofBytes: bytes.count > length ? Array(bytes[length...]) : nil)
    }

    /// Pairs a body with a 64-byte signature and, for a batch signature, its proof's binary form, as a ledger row
    /// stores them apart. Nothing is checked but the layout (see `isSignatureValid`).
    public init(body: EntryBody, signature: [UInt8], batchProofBytes: [UInt8]?) throws(LedgerError) {
        var proof: InclusionProof?
        if let batchProofBytes {
            do {
                proof = try InclusionProof(parsing: batchProofBytes)
            } catch {
                throw .malformedEncoding("the batch proof after the signature is malformed: \(error)")
            }
            guard let batch = proof, BatchSignature.sizes.contains(batch.treeSize) else {
                throw .malformedEncoding("the batch proof must be for a batch of 2 to \(BatchSignature.maximumSize) "
                    + "bodies, not \(proof?.treeSize ?? 0)")
            }
        }
        self.init(body: body, signature: signature, batchProof: proof, knownValid: false)
    }

    /// The signature as entries carry it in their leaf bytes and submissions on the wire: the 64-byte signature,
    /// followed for a batch signature by the proof's binary form (`InclusionProof.serialized`).
    public var signatureField: [UInt8] {
        guard let batchProof else { return signature }
        return signature + batchProof.serialized
    }

    /// True when `signature` is the author's valid signature of the body's canonical encoding, or of the root of a
    /// batch that `batchProof` shows holds it. A batch signature found valid before in `cache` is not checked again.
    public func isSignatureValid(cache: SignatureCache? = nil) -> Bool {
        knownValid || isSignatureValid(canonicalBody: body.canonicalBytes, cache: cache)
    }

    /// `isSignatureValid(cache:)` when the caller has the body's canonical bytes already; `knownValid` aside.
    package func isSignatureValid(canonicalBody canonical: [UInt8], cache: SignatureCache?) -> Bool {
        guard let batchProof else {
            return SignatureVerifier.isValid(signature: signature, of: canonical, publicKey: body.author.publicKey)
        }
        guard let root = BatchSignature.root(of: canonical, proof: batchProof) else { return false }
        let size = batchProof.treeSize
        if let cache, cache.contains(root: root, size: size, signature: signature, author: body.author) { return true }
        guard SignatureVerifier.isValid(signature: signature, of: BatchSignature.message(root: root, size: size),
                                        publicKey: body.author.publicKey) else { return false }
        cache?.insert(root: root, size: size, signature: signature, author: body.author)
        return true
    }

    /// `isSignatureValid()` with no cache.
    public var isSignatureValid: Bool { isSignatureValid() }

    /// Throws `LedgerError.badSignature` unless the signature is valid.
    public func checkSignature() throws(LedgerError) {
        guard isSignatureValid else { throw .badSignature(author: body.author) }
    }

    public static func == (lhs: SignedEntry, rhs: SignedEntry) -> Bool {
        lhs.body == rhs.body && lhs.signature == rhs.signature && lhs.batchProof == rhs.batchProof
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(body)
        hasher.combine(signature)
        hasher.combine(batchProof)
    }
}

extension SignedEntry {
    /// Bytes for sending a signed entry: u32 body length, canonical body, then the signature field.
    public var serializedBytes: [UInt8] {
        let body = body.canonicalBytes
        let signature = signatureField
        var writer = ByteWriter(capacity: 4 + body.count + signature.count)
        writer.u32(UInt32(truncatingIfNeeded: body.count))
        writer.raw(body)
        writer.raw(signature)
        return writer.bytes
    }

    /// Decodes `serializedBytes`; the signature is not checked here (see `isSignatureValid`).
    public init(serializedBytes bytes: [UInt8]) throws(LedgerError) {
        var reader = ByteReader(bytes)
        let length = Int(try reader.u32("body length"))
        let body = try EntryBody(canonicalBytes: try reader.raw(length, "entry body"))
        try self.init(body: body, signatureField: reader.rest())
    }
}
