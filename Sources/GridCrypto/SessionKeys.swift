import CSodium

/// Session keys for one direction pair of a connection, derived with libsodium's `crypto_kx`.
public struct SessionKeys: Sendable {
    /// Key for decrypting what the peer sends.
    public let receive: [UInt8]
    /// Key for encrypting what this side sends.
    public let transmit: [UInt8]
}
