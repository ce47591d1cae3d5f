import GridCore
import GridCrypto
import GridPluginTrust
import Testing

@Suite("Plugin trust policy")
struct PluginTrustPolicyTests {
    static let alice = Identity.generate()
    static let bob = Identity.generate()
    static let file: [UInt8] = Array("plugin bytes".utf8)

    static func signature(by identity: Identity, of bytes: [UInt8] = file) -> [UInt8] {
        Array(PluginSignature.sign(fileBytes: bytes, identity: identity).text.utf8)
    }

    @Test("with a trusted list: only valid signatures by listed authors load, every refusal says why")
    func required() {
        let policy = PluginTrustPolicy(trusted: TrustedAuthors([Self.alice.peerID], source: "trusted"))
        #expect(policy.decide(fileBytes: Self.file, signatureBytes: Self.signature(by: Self.alice), path: "p")
            == .load(author: Self.alice.peerID.hex, warning: nil))
        let cases: [([UInt8]?, PluginSignatureError.Kind)] = [
            (Self.signature(by: Self.bob), .untrustedAuthor),
            (nil, .missingSignature),
            (Self.signature(by: Self.alice, of: [0]), .tamperedFile),
            (Array("junk".utf8), .malformedSignature),
        ]
        for (signature, kind) in cases {
            guard case .refuse(let error) = policy.decide(fileBytes: Self.file, signatureBytes: signature, path: "p")
            else {
                Issue.record("expected a refusal for \(kind)")
                continue
            }
            #expect(error.kind == kind)
        }
    }

    @Test("without a list: everything loads, as its proven author or unsigned, with a warning for a bad signature")
    func open() {
        let policy = PluginTrustPolicy(trusted: nil)
        #expect(policy.decide(fileBytes: Self.file, signatureBytes: Self.signature(by: Self.bob), path: "p")
            == .load(author: Self.bob.peerID.hex, warning: nil))
        #expect(policy.decide(fileBytes: Self.file, signatureBytes: nil, path: "p")
            == .load(author: "unsigned", warning: nil))
        guard case .load(let author, let warning?) = policy.decide(
            fileBytes: [1], signatureBytes: Self.signature(by: Self.bob), path: "p")
        else {
            Issue.record("expected a load with a warning")
            return
        }
        #expect(author == "unsigned")
        #expect(warning.kind == .tamperedFile)
    }
}
