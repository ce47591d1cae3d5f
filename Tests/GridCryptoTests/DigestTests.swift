import Testing
@testable import GridCore
@testable import GridCrypto

@Suite("Digest")
struct DigestTests {
    @Test("SHA-256 matches the FIPS 180-2 vectors")
    func sha256() {
        #expect(Hex.encode(Digest.sha256(Array("abc".utf8)))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hex.encode(Digest.sha256([UInt8]()))
                == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Hex.encode(Digest.sha256(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(Hex.encode(Digest.sha256("abc".utf8)) == Hex.encode(Digest.sha256(Array("abc".utf8))))
    }

    @Test("BLAKE2b-256 matches Python's hashlib.blake2b(digest_size=32)")
    func blake2b() {
        #expect(Hex.encode(Digest.blake2b(Array("abc".utf8)))
                == "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319")
        #expect(Hex.encode(Digest.blake2b([UInt8]()))
                == "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8")
        #expect(Digest.blake2b(Array("abc".utf8)).count == 32)
    }

    @Test("streaming SHA-256 equals the one-shot digest however the input is split")
    func streaming() {
        let input = Digest.randomBytes(1000)
        let expected = Digest.sha256(input)
        for split in [0, 1, 63, 64, 65, 500, 1000] {
            var hash = SHA256()
            hash.update(input[..<split])
            hash.update(Array(input[split...]))
            #expect(hash.finalize() == expected)
        }
        var bytewise = SHA256()
        for byte in input { bytewise.update(byte: byte) }
        #expect(bytewise.finalize() == expected)
        var empty = SHA256()
        empty.update([UInt8]())
        #expect(empty.finalize() == Digest.sha256([UInt8]()))
    }

    @Test("random bytes have the asked length and differ")
    func random() {
        #expect(Digest.randomBytes(0).isEmpty)
        #expect(Digest.randomBytes(33).count == 33)
        #expect(Digest.randomBytes(32) != Digest.randomBytes(32))
    }
}
