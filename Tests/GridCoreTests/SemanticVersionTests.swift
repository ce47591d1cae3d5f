import Foundation
import Testing
@testable import GridCore

@Suite("SemanticVersion")
struct SemanticVersionTests {
    @Test("parses plain versions")
    func parsesPlain() {
        #expect(SemanticVersion("1.2.3") == SemanticVersion(1, 2, 3))
        #expect(SemanticVersion("0.0.0") == SemanticVersion(0, 0, 0))
        #expect(SemanticVersion("10.20.30") == SemanticVersion(10, 20, 30))
        #expect(SemanticVersion("999999999.0.1") == SemanticVersion(999_999_999, 0, 1))
    }

    @Test("parses prereleases and ignores build metadata")
    func parsesPrereleaseAndBuild() {
        #expect(SemanticVersion("1.2.3-beta.1") == SemanticVersion(1, 2, 3, prerelease: ["beta", "1"]))
        #expect(SemanticVersion("1.2.3-rc") == SemanticVersion(1, 2, 3, prerelease: ["rc"]))
        #expect(SemanticVersion("1.2.3+build.7") == SemanticVersion(1, 2, 3))
        #expect(SemanticVersion("1.2.3-alpha+exp.sha.5114f85") == SemanticVersion(1, 2, 3, prerelease: ["alpha"]))
        #expect(SemanticVersion("1.2.3+build-1") == SemanticVersion(1, 2, 3))
    }

    @Test("rejects malformed text", arguments: [
        "", "1", "1.2", "1.2.3.4", "a.b.c", "1.2.x", "1..3", ".1.2", "1.2.", "v1.2.3", " 1.2.3", "1.2.3 ",
        "1.2.3-", "1.2.3-beta..1", "1.2.3-.beta", "-1.2.3", "1.-2.3", "+1.2.3", "1234567890.0.0", "1.2.3-beta.",
        "١.٢.٣", "1.2.+3",
    ])
    func rejectsMalformed(text: String) {
        #expect(SemanticVersion(text) == nil)
    }

    @Test("description round-trips and drops build metadata")
    func description() {
        #expect(SemanticVersion(1, 2, 3).description == "1.2.3")
        #expect(SemanticVersion(1, 2, 3, prerelease: ["beta", "1"]).description == "1.2.3-beta.1")
        #expect(SemanticVersion("4.5.6+meta")?.description == "4.5.6")
        for text in ["0.1.0", "2.0.0-rc.1", "3.4.5-alpha.beta.9"] {
            #expect(SemanticVersion(text)?.description == text)
        }
    }

    @Test("orders numerically, not lexically")
    func numericOrder() {
        #expect(SemanticVersion(1, 9, 0) < SemanticVersion(1, 10, 0))
        #expect(SemanticVersion(1, 2, 9) < SemanticVersion(1, 2, 10))
        #expect(SemanticVersion(1, 99, 99) < SemanticVersion(2, 0, 0))
        #expect(!(SemanticVersion(1, 2, 3) < SemanticVersion(1, 2, 3)))
        #expect(SemanticVersion(2, 0, 0) > SemanticVersion(1, 99, 99))
    }

    @Test("orders prereleases as semver.org specifies")
    func prereleaseOrder() throws {
        let texts = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
                     "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1-alpha", "1.0.1"]
        let versions = try texts.map { try #require(SemanticVersion($0)) }
        for (lower, higher) in zip(versions, versions.dropFirst()) {
            #expect(lower < higher, "\(lower) should be below \(higher)")
            #expect(!(higher < lower), "\(higher) should not be below \(lower)")
        }
        #expect(versions.reversed().sorted() == versions)
    }

    @Test("a version equals itself and is not below itself, with or without prerelease")
    func irreflexive() {
        for version in [SemanticVersion(1, 0, 0), SemanticVersion(1, 0, 0, prerelease: ["rc", "1"])] {
            #expect(version == version)
            #expect(!(version < version))
            #expect(version <= version)
        }
    }

    @Test("encodes as a JSON string and decodes back")
    func codableRoundTrip() throws {
        let version = SemanticVersion(1, 2, 3, prerelease: ["beta", "2"])
        let data = try JSONEncoder().encode([version])
        #expect(String(decoding: data, as: UTF8.self) == #"["1.2.3-beta.2"]"#)
        #expect(try JSONDecoder().decode([SemanticVersion].self, from: data) == [version])
    }

    @Test("decoding a bad version names the text")
    func decodingRejectsBadText() {
        let data = Data(#"["1.2"]"#.utf8)
        do {
            _ = try JSONDecoder().decode([SemanticVersion].self, from: data)
            Issue.record("decoding '1.2' should fail")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.debugDescription.contains("'1.2'"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([SemanticVersion].self, from: Data("[3]".utf8)) }
    }
}
