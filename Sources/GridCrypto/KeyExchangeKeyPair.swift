import CSodium

/// An ephemeral X25519 key pair for `crypto_kx`, used once per connection.
public struct KeyExchangeKeyPair: Sendable {
    public static let publicKeyLength = Int(crypto_kx_PUBLICKEYBYTES)

    public let publicKey: [UInt8]
    private let secretKey: [UInt8]

    public static func generate() -> KeyExchangeKeyPair {
        Sodium.ensureInitialized()
        var pk = [UInt8](repeating: 0, count: Int(crypto_kx_PUBLICKEYBYTES))
        var sk = [UInt8](repeating: 0, count: Int(crypto_kx_SECRETKEYBYTES))
        _ = crypto_kx_keypair(&pk, &sk)
        return KeyExchangeKeyPair(publicKey: pk, secretKey: sk)
    }

    private init(publicKey: [UInt8], secretKey: [UInt8]) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// Session keys for the side that opened the connection.
    public func clientSessionKeys(serverPublicKey: [UInt8]) throws -> SessionKeys {
        guard serverPublicKey.count == Self.publicKeyLength else {
            throw CryptoError.badKeyLength("A key-exchange public key", expected: Self.publicKeyLength,
                                           got: serverPublicKey.count)
        }
        var rx = [UInt8](repeating: 0, count: Int(crypto_kx_SESSIONKEYBYTES))
        var tx = [UInt8](repeating: 0, count: Int(crypto_kx_SESSIONKEYBYTES))
        guard crypto_kx_client_session_keys(&rx, &tx, publicKey, secretKey, serverPublicKey) == 0 else {
            throw CryptoError.keyExchangeFailed
        }
        return SessionKeys(receive: rx, transmit: tx)
    }

    /// Session keys for the side that accepted the connection.
    public func serverSessionKeys(clientPublicKey: [UInt8]) throws -> SessionKeys {
        guard clientPublicKey.count == Self.publicKeyLength else {
            throw CryptoError.badKeyLength("A key-exchange public key", expected: Self.publicKeyLength,
                                           got: clientPublicKey.count)
        }
        var rx = [UInt8](repeating: 0, count: Int(crypto_kx_SESSIONKEYBYTES))
        var tx = [UInt8](repeating: 0, count: Int(crypto_kx_SESSIONKEYBYTES))
        guard crypto_kx_server_session_keys(&rx, &tx, publicKey, secretKey, clientPublicKey) == 0 else {
            throw CryptoError.keyExchangeFailed
        }
        return SessionKeys(receive: rx, transmit: tx)
    }
}
