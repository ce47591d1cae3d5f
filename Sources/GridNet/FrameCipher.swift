import GridCrypto

/// Encrypts outgoing and decrypts incoming frames of one established connection.
///
/// Each direction has its own key and a counter nonce that starts at 0 and grows by one per frame, so a frame
/// that is altered, replayed, dropped or reordered fails to decrypt.
struct FrameCipher: Sendable {
    /// Bytes the authentication tag adds to each frame.
    static let tagLength = AEAD.tagLength

    private let keys: SessionKeys
    /// The nonce of the next frame to send.
    private(set) var sendCounter: UInt64 = 0
    /// The nonce the next received frame must have.
    private(set) var receiveCounter: UInt64 = 0

    init(keys: SessionKeys) {
        self.keys = keys
    }

    /// Encrypts the next outgoing frame.
    mutating func seal(_ plaintext: [UInt8]) throws(NetError) -> [UInt8] {
        guard sendCounter < UInt64.max else { throw NetError.counterExhausted }
        let sealed = AEAD.seal(plaintext, key: keys.transmit, counter: sendCounter)
        sendCounter += 1
        return sealed
    }

    /// Decrypts the next incoming frame; throws `NetError.decryptionFailed` when it does not authenticate.
    mutating func open(_ sealed: [UInt8]) throws(NetError) -> [UInt8] {
        guard receiveCounter < UInt64.max else { throw NetError.counterExhausted }
        let plaintext: [UInt8]
        do {
            plaintext = try AEAD.open(sealed, key: keys.receive, counter: receiveCounter)
        } catch {
            throw NetError.decryptionFailed
        }
        receiveCounter += 1
        return plaintext
    }
}
