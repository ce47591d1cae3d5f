import Testing
@testable import GridCore

@Suite("Hex")
struct HexTests {
    @Test("encodes lowercase, two digits a byte")
    func encode() {
        #expect(Hex.encode([UInt8]()) == "")
        #expect(Hex.encode([0x00]) == "00")
        #expect(Hex.encode([0x0f, 0xf0, 0xab, 0xff, 0x10]) == "0ff0abff10")
        #expect(Hex.encode([UInt8](0...255)).count == 512)
        #expect(Hex.encode([0xde, 0xad][...]) == "dead")
    }

    @Test("decodes either case")
    func decode() {
        #expect(Hex.decode("") == [])
        #expect(Hex.decode("0ff0abff10") == [0x0f, 0xf0, 0xab, 0xff, 0x10])
        #expect(Hex.decode("DEADbeef") == [0xde, 0xad, 0xbe, 0xef])
    }

    @Test("every byte round-trips")
    func roundTrip() {
        let all = [UInt8](0...255)
        #expect(Hex.decode(Hex.encode(all)) == all)
        #expect(Hex.decode(Hex.encode(all).uppercased()) == all)
    }

    @Test("rejects odd length and non-hex characters", arguments: [
        "0", "abc", "0g", "g0", "zz", " 00", "00 ", "0x00", "+1", "-1", "é0", "０１",
    ])
    func rejects(text: String) {
        #expect(Hex.decode(text) == nil)
        var bytes = text
        #expect(bytes.withUTF8 { Hex.decode(utf8: $0) } == nil)
    }

    @Test("decodes UTF-8 bytes as read from a column, also a slice of a longer buffer")
    func decodeBytes() {
        let text = Array("peer:DEADbeef00".utf8)
        text.withUnsafeBufferPointer { buffer in
            #expect(Hex.decode(utf8: UnsafeBufferPointer(rebasing: buffer[5...])) == [0xde, 0xad, 0xbe, 0xef, 0x00])
            #expect(Hex.decode(utf8: UnsafeBufferPointer(rebasing: buffer[4...])) == nil)
            #expect(Hex.decode(utf8: UnsafeBufferPointer(rebasing: buffer[5..<5])) == [])
        }
    }
}
