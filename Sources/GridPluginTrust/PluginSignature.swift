import GridCore
import GridCrypto

/// A detached signature of one plugin file (a `.so` or an FFI manifest) by its author's Ed25519 identity, kept in
/// `PATH.sig` next to the file (format in docs/plugins.md, "Signed plugins").
///
/// The author signs the SHA-256 of the file's exact bytes, so for a manifest every declaration in it (library,
/// symbols, C signatures, costs) is covered: changing one byte breaks the signature. The signature file is text:
///
///     peergrid-plugin-signature 1
///     author <author's peer id, 64 hex digits>
///     sha256 <SHA-256 of the file, 64 hex digits>
///     signature <Ed25519 signature, 128 hex digits>
///
/// and the signature is made over the first three lines, each ending with a newline.
public struct PluginSignature: Sendable, Hashable {
    /// The first line of every signature file: the format and its version.
    public static let versionLine = "peergrid-plugin-signature 1"
    /// The suffix of the signature file next to a plugin.
    public static let fileSuffix = ".sig"

    /// Who signed.
    public let author: PeerID
    /// SHA-256 of the signed file.
    public let fileSHA256: [UInt8]
    /// The Ed25519 signature over `signedMessage`.
    public let signature: [UInt8]

    public init(author: PeerID, fileSHA256: [UInt8], signature: [UInt8]) {
        self.author = author
        self.fileSHA256 = fileSHA256
        self.signature = signature
    }

    /// Signs the file whose bytes are `fileBytes` with `identity`.
    public static func sign(fileBytes: [UInt8], identity: Identity) -> PluginSignature {
        let digest = Digest.sha256(fileBytes)
        let message = signedMessage(author: identity.peerID, fileSHA256: digest)
        return PluginSignature(author: identity.peerID, fileSHA256: digest, signature: identity.sign(message))
    }

    /// The bytes the signature is made over: the first three lines of the signature file.
    public static func signedMessage(author: PeerID, fileSHA256: [UInt8]) -> [UInt8] {
        Array("\(versionLine)\nauthor \(author.hex)\nsha256 \(Hex.encode(fileSHA256))\n".utf8)
    }

    /// The signature file's text.
    public var text: String {
        String(decoding: Self.signedMessage(author: author, fileSHA256: fileSHA256), as: UTF8.self)
            + "signature \(Hex.encode(signature))\n"
    }

    /// The author, when this signature is valid for a file with bytes `fileBytes`; else the reason, with `path` and
    /// `signaturePath` named in it.
    public func verify(fileBytes: [UInt8], path: String) throws(PluginSignatureError) -> PeerID {
        let digest = Digest.sha256(fileBytes)
        guard digest == fileSHA256 else {
            throw .tampered(path, signed: Hex.encode(fileSHA256), actual: Hex.encode(digest))
        }
        let message = Self.signedMessage(author: author, fileSHA256: fileSHA256)
        guard SignatureVerifier.isValid(signature: signature, of: message, publicKey: author.publicKey) else {
            throw .badSignature(path, author: author)
        }
        return author
    }
}
