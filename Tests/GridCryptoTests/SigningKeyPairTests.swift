import Testing
@testable import GridCrypto

@Suite("SigningKeyPair and SignatureVerifier")
struct SigningKeyPairTests {
    static let message = Array("pay 5 credits to worker-a".utf8)

    @Test("keys and signatures have Ed25519 lengths")
    func lengths() {
        let pair = SigningKeyPair.generate()
        #expect(SigningKeyPair.publicKeyLength == 32)
        #expect(SigningKeyPair.secretKeyLength == 64)
        #expect(SigningKeyPair.signatureLength == 64)
        #expect(pair.publicKey.count == 32)
        #expect(pair.secretKeyBytes.count == 64)
        #expect(pair.sign(Self.message).count == 64)
    }

    @Test("generated pairs differ")
    func fresh() {
        #expect(SigningKeyPair.generate().publicKey != SigningKeyPair.generate().publicKey)
    }

    @Test("a signature verifies with the signer's public key")
    func signVerify() {
        let pair = SigningKeyPair.generate()
        for message in [Self.message, [], [UInt8](repeating: 7, count: 10_000)] {
            let signature = pair.sign(message)
            #expect(SignatureVerifier.isValid(signature: signature, of: message, publicKey: pair.publicKey))
        }
        #expect(SignatureVerifier.isValid(signature: pair.sign(Self.message[...]), of: Self.message[...],
                                          publicKey: pair.publicKey))
    }

    @Test("Ed25519 signatures are deterministic")
    func deterministic() {
        let pair = SigningKeyPair.generate()
        #expect(pair.sign(Self.message) == pair.sign(Self.message))
    }

    @Test("a tampered message does not verify")
    func tamperedMessage() {
        let pair = SigningKeyPair.generate()
        let signature = pair.sign(Self.message)
        for index in [0, Self.message.count / 2, Self.message.count - 1] {
            var tampered = Self.message
            tampered[index] ^= 0x01
            #expect(!SignatureVerifier.isValid(signature: signature, of: tampered, publicKey: pair.publicKey))
        }
        #expect(!SignatureVerifier.isValid(signature: signature, of: Self.message + [0], publicKey: pair.publicKey))
        #expect(!SignatureVerifier.isValid(signature: signature, of: Self.message.dropLast(),
                                           publicKey: pair.publicKey))
    }

    @Test("a tampered signature does not verify")
    func tamperedSignature() {
        let pair = SigningKeyPair.generate()
        let signature = pair.sign(Self.message)
        for index in [0, 31, 32, 63] {
            var tampered = signature
            tampered[index] ^= 0x80
            #expect(!SignatureVerifier.isValid(signature: tampered, of: Self.message, publicKey: pair.publicKey))
        }
    }

    @Test("another key's public key does not verify")
    func wrongKey() {
        let signer = SigningKeyPair.generate()
        let other = SigningKeyPair.generate()
        #expect(!SignatureVerifier.isValid(signature: signer.sign(Self.message), of: Self.message,
                                           publicKey: other.publicKey))
    }

    @Test("wrong lengths are refused, not crashed on", arguments: [0, 1, 31, 33, 63, 65, 128])
    func wrongLengths(length: Int) {
        let pair = SigningKeyPair.generate()
        let signature = pair.sign(Self.message)
        let odd = [UInt8](repeating: 1, count: length)
        #expect(!SignatureVerifier.isValid(signature: odd, of: Self.message, publicKey: pair.publicKey))
        #expect(!SignatureVerifier.isValid(signature: signature, of: Self.message, publicKey: odd))
    }

    @Test("a pair rebuilt from its secret key has the same public key and signs alike")
    func rebuild() throws {
        let pair = SigningKeyPair.generate()
        let rebuilt = try SigningKeyPair(secretKey: pair.secretKeyBytes)
        #expect(rebuilt.publicKey == pair.publicKey)
        #expect(rebuilt.sign(Self.message) == pair.sign(Self.message))
    }

    @Test("a secret key of the wrong length is refused naming the lengths", arguments: [0, 32, 63, 65, 128])
    func wrongSecretLength(length: Int) {
        #expect(throws: CryptoError.badKeyLength("An Ed25519 secret key", expected: 64, got: length)) {
            try SigningKeyPair(secretKey: [UInt8](repeating: 3, count: length))
        }
        #expect(CryptoError.badKeyLength("An Ed25519 secret key", expected: 64, got: length).description
                == "An Ed25519 secret key must be 64 bytes, got \(length).")
    }

    @Test("RFC 8032 test vector 1 signs as published")
    func rfc8032() throws {
        // RFC 8032 section 7.1, TEST 1: empty message.
        let seed = hexBytes("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
        let publicKey = hexBytes("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        let expected = hexBytes("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                           + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
        let pair = try SigningKeyPair(secretKey: seed + publicKey)
        #expect(pair.publicKey == publicKey)
        #expect(pair.sign([UInt8]()) == expected)
        #expect(SignatureVerifier.isValid(signature: expected, of: [UInt8](), publicKey: publicKey))
    }
}

/// Decodes hex written in a test; crashes the test on a typo.
func hexBytes(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        out.append(UInt8(text[index..<next], radix: 16)!)
        index = next
    }
    return out
}
