import CSodium

/// An Ed25519 key pair: a peer's long-term identity.
public struct SigningKeyPair: Sendable {
    public static let publicKeyLength = Int(crypto_sign_PUBLICKEYBYTES)
    public static let secretKeyLength = Int(crypto_sign_SECRETKEYBYTES)
    public static let signatureLength = Int(crypto_sign_BYTES)

    public let publicKey: [UInt8]
    /// libsodium's 64-byte secret key (seed followed by the public key). Never log it.
    let secretKey: [UInt8]

    /// Generates a fresh random key pair.
    public static func generate() -> SigningKeyPair {
        Sodium.ensureInitialized()
        var pk = [UInt8](repeating: 0, count: publicKeyLength)
        var sk = [UInt8](repeating: 0, count: secretKeyLength)
        _ = crypto_sign_keypair(&pk, &sk)
        return SigningKeyPair(publicKey: pk, secretKey: sk)
    }

    /// Rebuilds a key pair from its 64-byte secret key.
    public init(secretKey: [UInt8]) throws {
        Sodium.ensureInitialized()
        guard secretKey.count == Self.secretKeyLength else {
            throw CryptoError.badKeyLength("An Ed25519 secret key", expected: Self.secretKeyLength, got: secretKey.count)
        }
        var pk = [UInt8](repeating: 0, count: Self.publicKeyLength)
        _ = crypto_sign_ed25519_sk_to_pk(&pk, secretKey)
        self.init(publicKey: pk, secretKey: secretKey)
    }

    private init(publicKey: [UInt8], secretKey: [UInt8]) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// The secret key bytes, for writing the identity file.
    public var secretKeyBytes: [UInt8] { secretKey }

    /// Signs `message` with a detached 64-byte signature.
    public func sign<Message: Collection<UInt8>>(_ message: Message) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: Self.signatureLength)
        let bytes = Array(message)
        _ = crypto_sign_detached(&signature, nil, bytes, UInt64(bytes.count), secretKey)
        return signature
    }
}
