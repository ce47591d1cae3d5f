import Foundation
import Testing
@testable import GridCore
@testable import GridCrypto

@Suite("Identity")
struct IdentityTests {
    /// The permission bits of the file at `path`, from stat(2).
    static func mode(_ path: String) throws -> mode_t {
        var info = stat()
        try #require(stat(path, &info) == 0, "stat \(path) failed")
        return info.st_mode & 0o777
    }

    /// Loads `path` expecting a failure and returns the error's description.
    static func loadFailure(_ path: String) -> String? {
        do {
            let identity = try Identity.load(from: path)
            Issue.record("loaded \(identity.peerID)")
            return nil
        } catch let error as CryptoError {
            return error.description
        } catch {
            Issue.record("expected a CryptoError, got \(error)")
            return nil
        }
    }

    /// The JSON an identity file holds, as a dictionary to tamper with.
    static func fileObject(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func write(_ object: [String: Any], to path: String) throws {
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
    }

    @Test("the peer id is the public key")
    func peerID() {
        let identity = Identity.generate()
        #expect(identity.peerID.publicKey == identity.keyPair.publicKey)
        #expect(identity.peerID.hex.count == 64)
        #expect(Identity.generate().peerID != identity.peerID)
    }

    @Test("an identity's signatures verify under its peer id")
    func signs() {
        let identity = Identity.generate()
        let message = Array("escrow 10".utf8)
        #expect(SignatureVerifier.isValid(signature: identity.sign(message), of: message,
                                          publicKey: identity.peerID.publicKey))
    }

    @Test("save then load gives the same identity")
    func roundTrip() throws {
        let folder = try CryptoTestFolder()
        defer { folder.remove() }
        let path = folder.file("identity.json")
        let identity = Identity.generate()
        try identity.save(to: path)
        let loaded = try Identity.load(from: path)
        #expect(loaded.peerID == identity.peerID)
        #expect(loaded.keyPair.secretKeyBytes == identity.keyPair.secretKeyBytes)
        let message = Array("m".utf8)
        #expect(loaded.sign(message) == identity.sign(message))
    }

    @Test("the file is JSON version 1 with hex keys")
    func fileFormat() throws {
        let folder = try CryptoTestFolder()
        defer { folder.remove() }
        let path = folder.file("identity.json")
        let identity = Identity.generate()
        try identity.save(to: path)
        let object = try Self.fileObject(path)
        #expect(object["version"] as? Int == 1)
        #expect(object["algorithm"] as? String == "ed25519")
        #expect(object["publicKey"] as? String == identity.peerID.hex)
        #expect((object["secretKey"] as? String)?.count == 128)
    }

    @Test("the saved file has mode 0600 and a created parent folder 0700")
    func fileMode() throws {
        let folder = try CryptoTestFolder()
        defer { folder.remove() }
        let path = folder.file("new/nested/identity.json")
        try Identity.generate().save(to: path)
        #expect(try Self.mode(path) == 0o600)
        #expect(try Self.mode(folder.file("new/nested")) == 0o700)
    }

    @Test("saving over a world-readable file leaves it 0600")
    func overwriteTightensMode() throws {
        let folder = try CryptoTestFolder()
        defer { folder.remove() }
        let path = folder.file("identity.json")
        try Data("old contents that are longer than nothing".utf8).write(to: URL(fileURLWithPath: path))
        #expect(chmod(path, 0o644) == 0)
        let identity = Identity.generate()
        try identity.save(to: path)
        #expect(try Self.mode(path) == 0o600)
        #expect(try Identity.load(from: path).peerID == identity.peerID)
    }

    @Test("loadOrCreate creates once, then loads the same identity")
    func loadOrCreate() throws {
        let folder = try CryptoTestFolder()
        defer { folder.remove() }
        let path = folder.file("home/identity.json")
        let first = try Identity.loadOrCreate(at: path)
        #expect(first.created)
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(try Self.mode(path) == 0o600)
        let second = try Identity.loadOrCreate(at: path)
        #expect(!second.created)
        #expect(second.identity.peerID == first.identity.peerID)
        let third = try Identity.loadOrCreate(at: path)
        #expect(third.identity.peerID == first.identity.peerID)
    }

    @Test("loadOrCreate does not replace a bad identity file")
    func loadOrCreateKeepsBadFile() throws {
        let folder = try CryptoTestFolder()
        defer { folder.remove() }
        let path = folder.file("identity.json")
        try Data("not json".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: CryptoError.self) { try Identity.loadOrCreate(at: path) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "not json")
    }

    @Test("a missing file is refused naming the path")
    func missing() throws {
        let folder = try CryptoTestFolder()
        defer { folder.remove() }
        let path = folder.file("absent.json")
        let description = try #require(Self.loadFailure(path))
        #expect(description.contains(path))
        #expect(description.contains("cannot be read"))
        let folderDescription = try #require(Self.loadFailure(folder.path))
        #expect(folderDescription.contains(folder.path))
    }

    @Test("a file that is not an identity is refused naming the path", arguments: [
        "", "not json", "[]", "{}", #"{"version": 1}"#,
        #"{"version": "1", "algorithm": "ed25519", "publicKey": "", "secretKey": ""}"#,
    ])
    func notAnIdentity(text: String) throws {
        let folder = try CryptoTestFolder()
        defer { folder.remove() }
        let path = folder.file("identity.json")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let description = try #require(Self.loadFailure(path))
        #expect(description.hasPrefix("The identity file \(path) is unusable: "))
        #expect(description.contains("not a PeerGrid identity"))
    }

    /// A change to a good identity file, and a fragment the error must contain.
    static let tamperings: [(String, @Sendable (inout [String: Any]) -> Void, String)] = [
        ("version 2", { $0["version"] = 2 }, "unsupported version 2"),
        ("another algorithm", { $0["algorithm"] = "rsa" }, "algorithm rsa"),
        ("secret key not hex", { $0["secretKey"] = "zz" }, "secretKey is not hex"),
        ("secret key too short", { $0["secretKey"] = String(repeating: "ab", count: 32) }, "secretKey"),
        ("secret key too long", { $0["secretKey"] = String(repeating: "ab", count: 65) }, "secretKey"),
        ("another public key", { $0["publicKey"] = String(repeating: "00", count: 32) }, "publicKey does not belong"),
        ("public key not hex", { $0["publicKey"] = "xyz" }, "publicKey does not belong"),
        ("seed altered", { object in
            var secret = hexBytes(object["secretKey"] as? String ?? "")
            secret[0] ^= 0x01
            object["secretKey"] = Hex.encode(secret)
        }, "secretKey"),
        ("public half of the secret key altered", { object in
            var secret = hexBytes(object["secretKey"] as? String ?? "")
            secret[40] ^= 0x01
            object["secretKey"] = Hex.encode(secret)
        }, "publicKey does not belong"),
    ]

    @Test("a tampered identity file is refused naming the path and the problem")
    func tampered() throws {
        let folder = try CryptoTestFolder()
        defer { folder.remove() }
        let path = folder.file("identity.json")
        try Identity.generate().save(to: path)
        let good = try Self.fileObject(path)
        for (name, change, fragment) in Self.tamperings {
            var object = good
            change(&object)
            try Self.write(object, to: path)
            let description = try #require(Self.loadFailure(path), "\(name) was accepted")
            #expect(description.hasPrefix("The identity file \(path) is unusable: "), "\(name): \(description)")
            #expect(description.contains(fragment), "\(name): \(description)")
        }
    }

    @Test("an uppercase public key in the file is accepted")
    func uppercasePublicKey() throws {
        let folder = try CryptoTestFolder()
        defer { folder.remove() }
        let path = folder.file("identity.json")
        let identity = Identity.generate()
        try identity.save(to: path)
        var object = try Self.fileObject(path)
        object["publicKey"] = identity.peerID.hex.uppercased()
        try Self.write(object, to: path)
        #expect(try Identity.load(from: path).peerID == identity.peerID)
    }
}
