import Foundation
import Testing

@testable import GridCore

@Suite("Capability offers")
struct CapabilityOfferTests {
    @Test("the author round-trips; an offer from an older worker, without author, decodes as unsigned")
    func author() throws {
        let signed = CapabilityOffer(name: "zlib.crc32", version: SemanticVersion(1, 0, 0), description: "CRC",
                                     cost: 1, plugin: "zlib", author: String(repeating: "ab", count: 32))
        let data = try JSONEncoder().encode(signed)
        #expect(try JSONDecoder().decode(CapabilityOffer.self, from: data) == signed)

        let old = #"{"name": "hash.sha256", "version": "1.0.0", "description": "", "cost": 2, "plugin": "hash"}"#
        let decoded = try JSONDecoder().decode(CapabilityOffer.self, from: Data(old.utf8))
        #expect(decoded.author == "unsigned")
        #expect(decoded.author == CapabilityOffer.unsignedAuthor)
        #expect(CapabilityOffer(name: "a.b", version: SemanticVersion(1, 0, 0), description: "", cost: 1, plugin: "p")
            .author == "unsigned")
    }

    @Test("deterministic is encoded only when false; an offer without it (an older worker) is deterministic")
    func deterministic() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let plain = CapabilityOffer(name: "hash.sha256", version: SemanticVersion(1, 0, 0), description: "",
                                    cost: 1, plugin: "hash")
        #expect(plain.deterministic)
        let plainJSON = String(decoding: try encoder.encode(plain), as: UTF8.self)
        #expect(!plainJSON.contains("deterministic"), "\(plainJSON)")

        let random = CapabilityOffer(name: "faults.random", version: SemanticVersion(1, 0, 0), description: "",
                                     cost: 1, plugin: "faults-c", deterministic: false)
        let randomJSON = String(decoding: try encoder.encode(random), as: UTF8.self)
        #expect(randomJSON.contains(#""deterministic":false"#), "\(randomJSON)")
        #expect(try JSONDecoder().decode(CapabilityOffer.self, from: Data(randomJSON.utf8)) == random)

        let old = #"{"name": "hash.sha256", "version": "1.0.0", "description": "", "cost": 2, "plugin": "hash"}"#
        #expect(try JSONDecoder().decode(CapabilityOffer.self, from: Data(old.utf8)).deterministic)

        #expect(plain.deterministic && !random.deterministic)
    }
}
