import Foundation
import Testing
@testable import GridCore

@Suite("PeerID")
struct PeerIDTests {
    static let bytes: [UInt8] = (0..<32).map { UInt8($0 * 7 % 256) }
    static let hex = Hex.encode(bytes)

    @Test("hex round-trips through the public key")
    func hexRoundTrip() throws {
        let id = PeerID(publicKey: Self.bytes)
        #expect(id.hex == Self.hex)
        #expect(id.hex.count == 64)
        #expect(id.description == Self.hex)
        let parsed = try #require(PeerID(hex: Self.hex))
        #expect(parsed == id)
        #expect(parsed.publicKey == Self.bytes)
    }

    @Test("uppercase hex is accepted and printed lowercase")
    func uppercase() throws {
        let id = try #require(PeerID(hex: Self.hex.uppercased()))
        #expect(id.publicKey == Self.bytes)
        #expect(id.hex == Self.hex)
    }

    @Test("short is the first 8 hex digits")
    func short() {
        #expect(PeerID(publicKey: Self.bytes).short == String(Self.hex.prefix(8)))
        #expect(PeerID(publicKey: Self.bytes).short.count == 8)
    }

    @Test("rejects text that is not 64 hex digits", arguments: [
        "", String(repeating: "a", count: 63), String(repeating: "a", count: 65), String(repeating: "a", count: 62),
        String(repeating: "g", count: 64), String(repeating: "a", count: 63) + " ",
        "0x" + String(repeating: "a", count: 62),
        String(repeating: "é", count: 32),
    ])
    func rejects(text: String) {
        #expect(PeerID(hex: text) == nil)
        var bytes = text
        #expect(bytes.withUTF8 { PeerID(hexUTF8: $0) } == nil)
    }

    @Test("parses 64 hex digits given as UTF-8 bytes")
    func fromBytes() {
        var text = Self.hex.uppercased()
        #expect(text.withUTF8 { PeerID(hexUTF8: $0) } == PeerID(publicKey: Self.bytes))
    }

    @Test("orders by hex")
    func order() {
        let low = PeerID(publicKey: [UInt8](repeating: 0x01, count: 32))
        let high = PeerID(publicKey: [UInt8](repeating: 0xf0, count: 32))
        #expect(low < high)
        #expect(!(high < low))
    }

    @Test("codes as a JSON string of hex")
    func codable() throws {
        let id = PeerID(publicKey: Self.bytes)
        let data = try JSONEncoder().encode([id])
        #expect(String(decoding: data, as: UTF8.self) == "[\"\(Self.hex)\"]")
        #expect(try JSONDecoder().decode([PeerID].self, from: data) == [id])
    }

    @Test("decoding bad hex says a peer id must be 64 hex digits")
    func decodingRejects() {
        do {
            _ = try JSONDecoder().decode([PeerID].self, from: Data(#"["abc"]"#.utf8))
            Issue.record("a bad peer id decoded")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.debugDescription.contains("64 hex digits"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
