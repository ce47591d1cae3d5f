import Testing
@testable import GridCrypto

@Suite("KeyExchangeKeyPair")
struct KeyExchangeTests {
    @Test("client and server derive matching session keys")
    func agree() throws {
        let client = KeyExchangeKeyPair.generate()
        let server = KeyExchangeKeyPair.generate()
        let clientKeys = try client.clientSessionKeys(serverPublicKey: server.publicKey)
        let serverKeys = try server.serverSessionKeys(clientPublicKey: client.publicKey)
        #expect(clientKeys.transmit == serverKeys.receive)
        #expect(clientKeys.receive == serverKeys.transmit)
        #expect(clientKeys.transmit != clientKeys.receive)
        #expect(clientKeys.transmit.count == AEAD.keyLength)
        #expect(clientKeys.receive.count == AEAD.keyLength)
    }

    @Test("session keys carry a message each way")
    func carryMessages() throws {
        let client = KeyExchangeKeyPair.generate()
        let server = KeyExchangeKeyPair.generate()
        let clientKeys = try client.clientSessionKeys(serverPublicKey: server.publicKey)
        let serverKeys = try server.serverSessionKeys(clientPublicKey: client.publicKey)
        let request = Array("hello server".utf8)
        let reply = Array("hello client".utf8)
        #expect(try AEAD.open(AEAD.seal(request, key: clientKeys.transmit, counter: 0), key: serverKeys.receive,
                              counter: 0) == request)
        #expect(try AEAD.open(AEAD.seal(reply, key: serverKeys.transmit, counter: 0), key: clientKeys.receive,
                              counter: 0) == reply)
    }

    @Test("a third party derives different keys")
    func thirdParty() throws {
        let client = KeyExchangeKeyPair.generate()
        let server = KeyExchangeKeyPair.generate()
        let intruder = KeyExchangeKeyPair.generate()
        let real = try client.clientSessionKeys(serverPublicKey: server.publicKey)
        let forged = try intruder.serverSessionKeys(clientPublicKey: client.publicKey)
        #expect(real.transmit != forged.receive)
    }

    @Test("fresh pairs give fresh keys")
    func fresh() throws {
        let server = KeyExchangeKeyPair.generate()
        let first = try KeyExchangeKeyPair.generate().clientSessionKeys(serverPublicKey: server.publicKey)
        let second = try KeyExchangeKeyPair.generate().clientSessionKeys(serverPublicKey: server.publicKey)
        #expect(first.transmit != second.transmit)
        #expect(KeyExchangeKeyPair.generate().publicKey.count == KeyExchangeKeyPair.publicKeyLength)
    }

    @Test("a peer key of the wrong length is refused naming the lengths", arguments: [0, 31, 33, 64])
    func wrongLength(length: Int) {
        let pair = KeyExchangeKeyPair.generate()
        let bad = [UInt8](repeating: 9, count: length)
        let expected = CryptoError.badKeyLength("A key-exchange public key", expected: 32, got: length)
        #expect(throws: expected) { try pair.clientSessionKeys(serverPublicKey: bad) }
        #expect(throws: expected) { try pair.serverSessionKeys(clientPublicKey: bad) }
        #expect(expected.description == "A key-exchange public key must be 32 bytes, got \(length).")
    }

    @Test("a low-order peer key is refused")
    func lowOrderKey() {
        let pair = KeyExchangeKeyPair.generate()
        let zero = [UInt8](repeating: 0, count: 32)
        #expect(throws: CryptoError.keyExchangeFailed) { try pair.clientSessionKeys(serverPublicKey: zero) }
        #expect(throws: CryptoError.keyExchangeFailed) { try pair.serverSessionKeys(clientPublicKey: zero) }
    }
}
