import GridCore
import GridCrypto

/// An entry body with its author's Ed25519 signature over the body's canonical encoding.
public struct SignedEntry: Hashable, Sendable {
    public let body: EntryBody
    /// 64-byte Ed25519 signature of `body.canonicalBytes` by `body.author`. Never log it.
    public let signature: [UInt8]
    /// True when this value was made by `EntryBody.signed(by:)`, so the signature is valid by construction.
    package let knownValid: Bool

    /// Pairs a body with a signature received from elsewhere; `isSignatureValid` tells whether they match.
    public init(body: EntryBody, signature: [UInt8]) {
        self.init(body: body, signature: signature, knownValid: false)
    }

    package init(body: EntryBody, signature: [UInt8], knownValid: Bool) {
        self.body = body
        self.signature = signature
        self.knownValid = knownValid
    }

    /// True when `signature` is the author's valid signature of the body's canonical encoding.
    public var isSignatureValid: Bool {
        knownValid || SignatureVerifier.isValid(
            signature: signature, of: body.canonicalBytes, publicKey: body.author.publicKey)
    }

    /// Throws `LedgerError.badSignature` unless the signature is valid.
    public func checkSignature() throws(LedgerError) {
        guard isSignatureValid else { throw .badSignature(author: body.author) }
    }

    public static func == (lhs: SignedEntry, rhs: SignedEntry) -> Bool {
        lhs.body == rhs.body && lhs.signature == rhs.signature
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(body)
        hasher.combine(signature)
    }
}

extension SignedEntry {
    /// Bytes for sending a signed entry: u32 body length, canonical body, then the 64-byte signature.
    public var serializedBytes: [UInt8] {
        let body = body.canonicalBytes
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
        let signature = try reader.raw(SigningKeyPair.signatureLength, "signature")
        try reader.expectEnd("signature")
        self.init(body: body, signature: signature)
    }
}
