import Foundation
import GridCore
import GridCrypto

/// A checkpoint with the Ed25519 signature of the peer that sequences the log.
///
/// Text form, in the style of transparency-dev signed notes (see docs/merkle.md):
/// the checkpoint body, a blank line, then `"— <signer peer id hex> <base64 signature>\n"`.
public struct SignedCheckpoint: Hashable, Sendable {
    /// Longest text form accepted by `init(parsing:)`, in bytes.
    public static let maximumLength = 1024
    static let signaturePrefix = "\u{2014} "

    public let checkpoint: Checkpoint
    /// The peer whose key made `signature`.
    public let signer: PeerID
    /// Ed25519 signature of `checkpoint.body` in UTF-8.
    public let signature: [UInt8]

    /// Wraps a checkpoint and a signature; nothing is checked until `verify(publicKey:)`.
    public init(checkpoint: Checkpoint, signer: PeerID, signature: [UInt8]) {
        self.checkpoint = checkpoint
        self.signer = signer
        self.signature = signature
    }

    /// The text form.
    public var serialized: String {
        checkpoint.body + "\n" + Self.signaturePrefix + signer.hex + " "
            + Data(signature).base64EncodedString() + "\n"
    }

    /// Reads the text form, strictly: every field must be in its one canonical spelling.
    ///
    /// This checks the format only; call `verify(publicKey:)` to check the signature.
    public init(parsing text: String) throws {
        guard text.utf8.count <= Self.maximumLength else {
            throw CheckpointError.malformed("it is longer than \(Self.maximumLength) bytes")
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count == 7, lines[4].isEmpty, lines[6].isEmpty else {
            throw CheckpointError.malformed(
                "it must be 4 body lines, a blank line and one signature line, each ending in a newline")
        }
        try Checkpoint.validate(origin: lines[0])
        let size = try Self.decimal(lines[1], field: "tree size")
        guard let root = MerkleHash(base64: lines[2]), root.base64 == lines[2] else {
            throw CheckpointError.malformed("the root hash is not 32 bytes in canonical base64")
        }
        let timestamp = try Self.decimal(lines[3], field: "timestamp")
        let checkpoint = try Checkpoint(origin: lines[0], size: size, root: root, timestamp: timestamp)

        let signatureLine = lines[5]
        guard signatureLine.hasPrefix(Self.signaturePrefix) else {
            throw CheckpointError.malformed("the signature line does not start with an em dash and a space")
        }
        let fields = signatureLine.dropFirst(Self.signaturePrefix.count)
            .split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 2 else {
            throw CheckpointError.malformed("the signature line must hold a signer id and a signature")
        }
        guard fields[0] == fields[0].lowercased(), let signer = PeerID(hex: String(fields[0])) else {
            throw CheckpointError.malformed("the signer is not a peer id of 64 lowercase hex digits")
        }
        guard let signature = Data(base64Encoded: String(fields[1])),
              signature.count == SigningKeyPair.signatureLength,
              signature.base64EncodedString() == fields[1] else {
            throw CheckpointError.malformed("the signature is not 64 bytes in canonical base64")
        }
        self.init(checkpoint: checkpoint, signer: signer, signature: Array(signature))
    }

    /// Reads the text form from UTF-8 bytes.
    public init(parsing bytes: [UInt8]) throws {
        guard bytes.count <= Self.maximumLength else {
            throw CheckpointError.malformed("it is longer than \(Self.maximumLength) bytes")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CheckpointError.malformed("it is not valid UTF-8")
        }
        try self.init(parsing: text)
    }

    /// Checks that `publicKey` is the signer's and that the signature covers this checkpoint.
    public func verify(publicKey: [UInt8]) throws {
        guard signer.publicKey == publicKey else {
            throw CheckpointError.wrongSigner(expected: PeerID(publicKey: publicKey).short, got: signer.short)
        }
        guard SignatureVerifier.isValid(signature: signature, of: Array(checkpoint.body.utf8), publicKey: publicKey)
        else {
            throw CheckpointError.badSignature
        }
    }

    private static func decimal(_ text: String, field: String) throws -> UInt64 {
        let digits = text.utf8
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              digits.count == 1 || digits.first != UInt8(ascii: "0"),
              let value = UInt64(text) else {
            throw CheckpointError.malformed("the \(field) is not a decimal number without leading zeros")
        }
        return value
    }
}
