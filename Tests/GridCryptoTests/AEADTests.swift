import Testing
@testable import GridCrypto

@Suite("AEAD")
struct AEADTests {
    static let key = Digest.randomBytes(AEAD.keyLength)
    static let plaintext = Array("a frame of the PeerGrid protocol".utf8)

    @Test("lengths are ChaCha20-Poly1305's")
    func lengths() {
        #expect(AEAD.keyLength == 32)
        #expect(AEAD.tagLength == 16)
        #expect(AEAD.seal(Self.plaintext, key: Self.key, counter: 0).count == Self.plaintext.count + 16)
    }

    @Test("seal then open gives the plaintext back", arguments: [0, 1, 15, 16, 17, 1000, 70_000])
    func roundTrip(length: Int) throws {
        let plaintext = Digest.randomBytes(length)
        for counter: UInt64 in [0, 1, 255, 1 << 32, .max] {
            let sealed = AEAD.seal(plaintext, key: Self.key, counter: counter)
            #expect(try AEAD.open(sealed, key: Self.key, counter: counter) == plaintext)
        }
    }

    @Test("the ciphertext hides the plaintext and depends on the counter")
    func ciphertext() {
        let first = AEAD.seal(Self.plaintext, key: Self.key, counter: 1)
        let second = AEAD.seal(Self.plaintext, key: Self.key, counter: 2)
        #expect(Array(first.prefix(Self.plaintext.count)) != Self.plaintext)
        #expect(first != second)
        #expect(first == AEAD.seal(Self.plaintext, key: Self.key, counter: 1))
    }

    @Test("the wrong counter fails authentication", arguments: [UInt64(0), 2, 1 << 32, .max])
    func wrongCounter(counter: UInt64) {
        let sealed = AEAD.seal(Self.plaintext, key: Self.key, counter: 1)
        #expect(throws: CryptoError.decryptionFailed) { try AEAD.open(sealed, key: Self.key, counter: counter) }
    }

    @Test("any flipped bit fails authentication")
    func tampered() {
        let sealed = AEAD.seal(Self.plaintext, key: Self.key, counter: 7)
        for index in sealed.indices {
            var tampered = sealed
            tampered[index] ^= 0x01
            #expect(throws: CryptoError.decryptionFailed) { try AEAD.open(tampered, key: Self.key, counter: 7) }
        }
        #expect(throws: CryptoError.decryptionFailed) {
            try AEAD.open(sealed.dropLast(), key: Self.key, counter: 7)
        }
        #expect(throws: CryptoError.decryptionFailed) { try AEAD.open(sealed + [0], key: Self.key, counter: 7) }
    }

    @Test("another key fails authentication")
    func wrongKey() {
        let sealed = AEAD.seal(Self.plaintext, key: Self.key, counter: 0)
        var otherKey = Self.key
        otherKey[0] ^= 0xff
        #expect(throws: CryptoError.decryptionFailed) { try AEAD.open(sealed, key: otherKey, counter: 0) }
        #expect(throws: CryptoError.decryptionFailed) {
            try AEAD.open(sealed, key: Digest.randomBytes(AEAD.keyLength), counter: 0)
        }
    }

    @Test("a key of the wrong length is refused on open", arguments: [0, 16, 31, 33, 64])
    func wrongKeyLength(length: Int) {
        let sealed = AEAD.seal(Self.plaintext, key: Self.key, counter: 0)
        #expect(throws: CryptoError.decryptionFailed) {
            try AEAD.open(sealed, key: [UInt8](repeating: 0, count: length), counter: 0)
        }
    }

    @Test("input shorter than a tag is refused", arguments: [0, 1, 15])
    func tooShort(length: Int) {
        #expect(throws: CryptoError.decryptionFailed) {
            try AEAD.open([UInt8](repeating: 0, count: length), key: Self.key, counter: 0)
        }
    }

    @Test("a tag alone opens to an empty plaintext only when genuine")
    func tagOnly() throws {
        let sealed = AEAD.seal([], key: Self.key, counter: 3)
        #expect(sealed.count == AEAD.tagLength)
        #expect(try AEAD.open(sealed, key: Self.key, counter: 3) == [])
        #expect(throws: CryptoError.decryptionFailed) {
            try AEAD.open([UInt8](repeating: 0, count: 16), key: Self.key, counter: 3)
        }
    }

    @Test("the decryption error says what may have happened")
    func errorDescription() {
        #expect(CryptoError.decryptionFailed.description.contains("altered, replayed or encrypted with another key"))
    }
}
