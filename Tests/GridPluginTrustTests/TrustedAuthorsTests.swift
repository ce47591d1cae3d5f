import Foundation
import GridCore
import GridCrypto
import GridPluginTrust
import GridTestKit
import Testing

@Suite("Trusted authors")
struct TrustedAuthorsTests {
    static let alice = Identity.generate()
    static let bob = Identity.generate()

    @Test("ids one per line; comments, trailing comments, blank lines and surrounding spaces are allowed")
    func parse() throws {
        let text = """
            # plugin authors this worker trusts

              \(Self.alice.peerID.hex)   # alice
            \(Self.bob.peerID.hex.uppercased())
            """
        let trusted = try TrustedAuthors(parsing: text, source: "trusted.txt")
        #expect(trusted.authors == [Self.alice.peerID, Self.bob.peerID])
        #expect(try TrustedAuthors(parsing: "", source: "empty").authors.isEmpty)
    }

    @Test("a bad line is named by its number")
    func badLine() throws {
        let text = "# header\n\(Self.alice.peerID.hex)\nnot-a-peer\n"
        let error = try #require(throws: TrustedAuthorsError.self) {
            try TrustedAuthors(parsing: text, source: "t.txt")
        }
        #expect(error.lineNumber == 3)
        #expect(error.description.hasPrefix("Line 3 of the trusted-authors file t.txt is not a peer id"))
        let missing = try #require(throws: TrustedAuthorsError.self) { try TrustedAuthors.load(from: "/nonexistent/t") }
        #expect(missing.description.contains("No such file or directory"))
    }

    @Test("load or refuse: trusted author, unknown author, tampered file, unsigned file, each with its reason")
    func decisions() throws {
        let folder = try TemporaryFolder("grid-trust")
        defer { folder.remove() }
        let list = folder.file("trusted")
        try Data("\(Self.alice.peerID.hex)\n".utf8).write(to: URL(fileURLWithPath: list))
        let trusted = try TrustedAuthors.load(from: list)

        let byAlice = folder.file("a.so")
        try write([1, 2, 3], to: byAlice)
        try PluginSignature.signFile(at: byAlice, identity: Self.alice)
        #expect(try trusted.authorize(pluginAt: byAlice) == Self.alice.peerID)

        let byBob = folder.file("b.so")
        try write([4, 5, 6], to: byBob)
        try PluginSignature.signFile(at: byBob, identity: Self.bob)
        let unknown = try #require(throws: PluginSignatureError.self) { try trusted.authorize(pluginAt: byBob) }
        #expect(unknown.kind == .untrustedAuthor)
        #expect(unknown.description == "The plugin \(byBob) was refused: it is signed by \(Self.bob.peerID.hex), "
            + "who is not a trusted author in \(list).")

        let tampered = folder.file("c.so")
        try write([7, 8, 9], to: tampered)
        try PluginSignature.signFile(at: tampered, identity: Self.alice)
        try write([7, 8, 0], to: tampered)
        #expect(try #require(throws: PluginSignatureError.self) { try trusted.authorize(pluginAt: tampered) }.kind
            == .tamperedFile)

        let unsigned = folder.file("d.so")
        try write([1], to: unsigned)
        #expect(try #require(throws: PluginSignatureError.self) { try trusted.authorize(pluginAt: unsigned) }.kind
            == .missingSignature)
    }

    @Test("the same decisions from bytes already read")
    func fromBytes() throws {
        let trusted = TrustedAuthors([Self.alice.peerID], source: "list")
        let file: [UInt8] = [1, 2]
        let signature = Array(PluginSignature.sign(fileBytes: file, identity: Self.alice).text.utf8)
        #expect(try trusted.authorize(fileBytes: file, signatureBytes: signature, path: "p") == Self.alice.peerID)
        #expect(throws: PluginSignatureError.self) {
            try trusted.authorize(fileBytes: file, signatureBytes: nil, path: "p")
        }
        #expect(throws: PluginSignatureError.self) {
            try trusted.authorize(fileBytes: [1, 3], signatureBytes: signature, path: "p")
        }
    }
}
