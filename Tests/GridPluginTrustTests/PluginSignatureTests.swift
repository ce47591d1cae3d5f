import Foundation
import GridCore
import GridCrypto
import GridPluginTrust
import GridTestKit
import Testing

/// Writes `bytes` to `path`.
func write(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

@Suite("Plugin signatures")
struct PluginSignatureTests {
    static let author = Identity.generate()
    static let manifest = Array(#"{"peergrid-ffi-manifest": 1, "name": "x"}"#.utf8)

    @Test("a signed file verifies to its author; the signature file has the documented four lines")
    func valid() throws {
        let folder = try TemporaryFolder("grid-sign")
        defer { folder.remove() }
        let path = folder.file("zlib.json")
        try write(Self.manifest, to: path)
        let signature = try PluginSignature.signFile(at: path, identity: Self.author)
        #expect(try PluginSignature.verifyFile(at: path) == Self.author.peerID)
        let text = try String(contentsOfFile: path + ".sig", encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0] == "peergrid-plugin-signature 1")
        #expect(lines[1] == "author \(Self.author.peerID.hex)")
        #expect(lines[2] == "sha256 \(Hex.encode(Digest.sha256(Self.manifest)))")
        #expect(lines[3].hasPrefix("signature ") && lines[3].count == 10 + 128)
        #expect(text == signature.text)
        #expect(PluginSignature.authorship(ofFileAt: path) == .signed(Self.author.peerID))
        #expect(PluginSignature.authorship(ofFileAt: path).advertised == Self.author.peerID.hex)
    }

    @Test("one changed byte of the file (a manifest declaration) is detected as tampering")
    func tampered() throws {
        let folder = try TemporaryFolder("grid-sign")
        defer { folder.remove() }
        let path = folder.file("zlib.json")
        try write(Self.manifest, to: path)
        try PluginSignature.signFile(at: path, identity: Self.author)
        var changed = Self.manifest
        changed[changed.count - 3] = UInt8(ascii: "y")
        try write(changed, to: path)
        let error = try #require(throws: PluginSignatureError.self) { try PluginSignature.verifyFile(at: path) }
        #expect(error.kind == .tamperedFile)
        #expect(error.description.contains("was changed after it was signed"))
        #expect(PluginSignature.authorship(ofFileAt: path).advertised == "unsigned")
    }

    @Test("a signature by another key than the author it names is a bad signature")
    func forged() throws {
        let honest = PluginSignature.sign(fileBytes: Self.manifest, identity: Self.author)
        let mallory = Identity.generate()
        // Mallory claims the honest author but signs with her own key.
        let forged = PluginSignature(
            author: Self.author.peerID, fileSHA256: honest.fileSHA256,
            signature: mallory.sign(PluginSignature.signedMessage(author: Self.author.peerID,
                                                                  fileSHA256: honest.fileSHA256)))
        let error = try #require(throws: PluginSignatureError.self) {
            try forged.verify(fileBytes: Self.manifest, path: "p.json")
        }
        #expect(error.kind == .badSignature)
        #expect(error.description == "The plugin p.json was refused: its signature is not a valid signature by "
            + "\(Self.author.peerID.hex), the author it names.")
        // Changing the author line of a valid signature breaks it too.
        let swapped = PluginSignature(
            author: mallory.peerID, fileSHA256: honest.fileSHA256, signature: honest.signature)
        #expect(throws: PluginSignatureError.self) { try swapped.verify(fileBytes: Self.manifest, path: "p.json") }
    }

    @Test("a missing signature file means unsigned")
    func missing() throws {
        let folder = try TemporaryFolder("grid-sign")
        defer { folder.remove() }
        let path = folder.file("libx.so")
        try write([1, 2, 3], to: path)
        let error = try #require(throws: PluginSignatureError.self) { try PluginSignature.verifyFile(at: path) }
        #expect(error.kind == .missingSignature)
        #expect(error.description.contains("it is unsigned (there is no signature file \(path).sig)"))
        #expect(PluginSignature.authorship(ofFileAt: path) == .unsigned)
        #expect(PluginSignature.authorship(ofFileAt: path).advertised == CapabilityOffer.unsignedAuthor)
    }

    @Test("malformed signature files name the line at fault", arguments: [
        ("", "line 1 must be"),
        ("peergrid-plugin-signature 2\n", "a version this host does not read"),
        ("peergrid-plugin-signature 1\nauthor 00\n", "it must have 4 lines"),
        ("peergrid-plugin-signature 1\nwho x\nsha256 x\nsignature x\n", "line 2 must start with \"author \""),
        ("peergrid-plugin-signature 1\nauthor \(String(repeating: "A", count: 64))\nsha256 x\nsignature x\n",
         "line 2 must give the author as 64 lowercase hex digits"),
        ("peergrid-plugin-signature 1\nauthor \(String(repeating: "a", count: 64))\nsha256 12\nsignature x\n",
         "line 3 must give the sha256 as 64 lowercase hex digits"),
        ("peergrid-plugin-signature 1\nauthor \(String(repeating: "a", count: 64))\nsha256 "
            + "\(String(repeating: "b", count: 64))\nsignature 00\n",
         "line 4 must give the signature as 128 lowercase hex digits"),
    ])
    func malformed(text: String, expected: String) throws {
        let error = try #require(throws: PluginSignatureError.self) {
            try PluginSignature(parsing: Array(text.utf8), path: "p.so", signaturePath: "p.so.sig")
        }
        #expect(error.kind == .malformedSignature)
        #expect(error.description.contains(expected), "\(error)")
    }

    @Test("a signature file parses back to the same signature, with or without its last newline")
    func parseBack() throws {
        let signature = PluginSignature.sign(fileBytes: [9, 9], identity: Self.author)
        #expect(try PluginSignature(parsing: Array(signature.text.utf8), path: "p", signaturePath: "p.sig")
            == signature)
        #expect(try PluginSignature(parsing: Array(signature.text.dropLast().utf8), path: "p", signaturePath: "p.sig")
            == signature)
    }
}
