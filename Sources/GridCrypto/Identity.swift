import Foundation
import GridCore

/// A peer's long-term identity: its Ed25519 key pair and the peer id derived from it.
public struct Identity: Sendable {
    public let keyPair: SigningKeyPair

    public init(keyPair: SigningKeyPair) {
        self.keyPair = keyPair
    }

    public var peerID: PeerID { PeerID(publicKey: keyPair.publicKey) }

    /// Signs `message` with this identity.
    public func sign<Message: Collection<UInt8>>(_ message: Message) -> [UInt8] {
        keyPair.sign(message)
    }

    /// Generates a fresh identity.
    public static func generate() -> Identity {
        Identity(keyPair: .generate())
    }

    private struct FileV1: Codable {
        var version: Int
        var algorithm: String
        var publicKey: String
        var secretKey: String
    }

    /// Reads the identity stored at `path`.
    public static func load(from path: String) throws -> Identity {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CryptoError.badIdentityFile(path, reason: "it cannot be read")
        }
        let file: FileV1
        do {
            file = try JSONDecoder().decode(FileV1.self, from: data)
        } catch {
            throw CryptoError.badIdentityFile(path, reason: "it is not a PeerGrid identity (JSON with version 1)")
        }
        guard file.version == 1, file.algorithm == "ed25519" else {
            throw CryptoError.badIdentityFile(path, reason: "unsupported version \(file.version) or algorithm \(file.algorithm)")
        }
        guard let secret = Hex.decode(file.secretKey) else {
            throw CryptoError.badIdentityFile(path, reason: "secretKey is not hex")
        }
        guard secret.count == SigningKeyPair.secretKeyLength else {
            throw CryptoError.badIdentityFile(
                path, reason: "secretKey must be \(SigningKeyPair.secretKeyLength) bytes, got \(secret.count)")
        }
        let pair = try SigningKeyPair(secretKey: secret)
        guard Hex.encode(pair.publicKey) == file.publicKey.lowercased() else {
            throw CryptoError.badIdentityFile(path, reason: "publicKey does not belong to secretKey")
        }
        // The secret key's second half is its public key, copied; a damaged first half (the seed) only shows when
        // its signatures fail to verify.
        let probe = Array("PeerGrid identity check".utf8)
        guard SignatureVerifier.isValid(signature: pair.sign(probe), of: probe, publicKey: pair.publicKey) else {
            throw CryptoError.badIdentityFile(
                path, reason: "secretKey is damaged: its seed does not match its publicKey")
        }
        return Identity(keyPair: pair)
    }

    /// Writes this identity to `path` with mode 0600, creating the parent folder (mode 0700) if needed.
    public func save(to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        let file = FileV1(version: 1, algorithm: "ed25519", publicKey: Hex.encode(keyPair.publicKey),
                          secretKey: Hex.encode(keyPair.secretKeyBytes))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(file)
        // Create with 0600 before any secret is written.
        _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: data)
    }

    /// Loads the identity at `path`, creating and saving a new one if there is none.
    public static func loadOrCreate(at path: String) throws -> (identity: Identity, created: Bool) {
        if FileManager.default.fileExists(atPath: path) {
            return (try load(from: path), false)
        }
        let identity = generate()
        try identity.save(to: path)
        return (identity, true)
    }
}
