import GridCore
import GridCrypto
import Testing
@testable import GridLedgerModel
import GridTestKit

@Suite("Accounts and canonical encoding")
struct EncodingTests {
    static let fixedPeer = PeerID.repeating(0x11)

    static func fixedBody() throws -> EntryBody {
        try EntryBody(
            kind: .escrow, from: .peer(fixedPeer), to: .escrow(job: "j1"), amount: 10, job: "j1",
            author: fixedPeer, timestamp: 1_700_000_000_000, memo: "hi")
    }

    @Test("Account string forms parse back to the same account")
    func accountRoundTrip() throws {
        let accounts: [Account] = [.mint, .peer(Self.fixedPeer), .escrow(job: "job-42"), .escrow(job: "a:b")]
        for account in accounts {
            #expect(try Account(parsing: account.description) == account)
        }
        #expect(Account.peer(Self.fixedPeer).description == "peer:" + String(repeating: "11", count: 32))
    }

    @Test("Bad account strings give errors that say what is wrong", arguments: [
        ("", "an account must be"),
        ("Mint", "an account must be"),
        ("peer:abc", "64 hex digits"),
        ("Peer:" + String(repeating: "ab", count: 32), "an account must be"),
        ("xxxx:" + String(repeating: "ab", count: 32), "an account must be"),
        ("peer:" + String(repeating: "zz", count: 32), "64 hex digits"),
        ("escrow:", "must not be empty"),
        ("escrow:has space", "whitespace"),
        ("escrow:" + String(repeating: "x", count: 257), "at most 256 bytes"),
    ])
    func badAccounts(text: String, expected: String) {
        #expect {
            try Account(parsing: text)
        } throws: { error in
            "\(error)".contains(expected)
        }
        // Parsing the bytes read from a database column refuses the same text with the same error.
        var bytes = text
        #expect {
            try bytes.withUTF8 { utf8 throws(LedgerError) in try Account(parsingUTF8: utf8) }
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test("An account's description is the one spelling that is its description, byte for byte")
    func descriptionBytes() {
        let peer = PeerID.repeating(0xab)
        let cases: [(Account, String, Bool)] = [
            (.mint, "mint", true), (.mint, "mint ", false),
            (.peer(peer), "peer:" + String(repeating: "ab", count: 32), true),
            (.peer(peer), "peer:" + String(repeating: "AB", count: 32), false),
            (.peer(peer), "peer:" + String(repeating: "ab", count: 31), false),
            (.escrow(job: "j\u{e9}"), "escrow:j\u{e9}", true),
            (.escrow(job: "j\u{e9}"), "escrow:je\u{301}", false),
            (.escrow(job: "job-1"), "escrow:job-1\u{0}", false),
        ]
        for (account, text, expected) in cases {
            var bytes = text
            #expect(bytes.withUTF8 { account.isDescription($0) } == expected, "\(text)")
        }
    }

    @Test("A memo with a NUL character is refused: SQLite would store it cut short")
    func memoWithNul() {
        #expect {
            try EntryBody(kind: .escrow, from: .peer(Self.fixedPeer), to: .escrow(job: "j1"), amount: 10, job: "j1",
                          author: Self.fixedPeer, timestamp: 1, memo: "a\u{0}b")
        } throws: { error in
            "\(error)".contains("NUL")
        }
    }

    @Test("Account forms given as UTF-8 bytes parse as the strings do, either case of hex")
    func accountFromBytes() throws {
        let hex = String(repeating: "ab", count: 32)
        for text in ["mint", "peer:" + hex, "peer:" + hex.uppercased(), "escrow:job-42", "escrow:a:b"] {
            var bytes = text
            let parsed = try bytes.withUTF8 { utf8 throws(LedgerError) in try Account(parsingUTF8: utf8) }
            #expect(parsed == (try Account(parsing: text)), "\(text)")
        }
    }

    @Test("The canonical encoding of a fixed body is stable")
    func fixedEncoding() throws {
        let expected = "0102011111111111111111111111111111111111111111111111111111111111111111"
            + "0200026a31000000000000000a0100026a31"
            + "1111111111111111111111111111111111111111111111111111111111111111"
            + "0000018bcfe568000100026869"
        #expect(Hex.encode(try Self.fixedBody().canonicalBytes) == expected)
    }

    @Test("Every kind of body survives an encoding round trip")
    func roundTrip() throws {
        let fixture = Fixture()
        for signed in try fixture.history() {
            let decoded = try EntryBody(canonicalBytes: signed.body.canonicalBytes)
            #expect(decoded == signed.body)
        }
        let noMemo = try EntryBody(
            kind: .grant, from: .mint, to: .peer(Self.fixedPeer), amount: .max, author: Self.fixedPeer,
            timestamp: -5)
        #expect(try EntryBody(canonicalBytes: noMemo.canonicalBytes) == noMemo)
    }

    @Test("Malformed encodings are refused with a reason")
    func malformed() throws {
        let bytes = try Self.fixedBody().canonicalBytes
        var wrongVersion = bytes
        wrongVersion[0] = 2
        var wrongKind = bytes
        wrongKind[1] = 9
        var wrongTag = bytes
        wrongTag[2] = 7
        var zeroAmount = bytes
        zeroAmount.replaceSubrange(40..<48, with: [UInt8](repeating: 0, count: 8))
        let cases: [([UInt8], String)] = [
            ([], "ends inside the version byte"),
            (wrongVersion, "encoding version 2"),
            (wrongKind, "kind byte 9"),
            (wrongTag, "tag of the from account is 7"),
            (Array(bytes.dropLast(3)), "ends inside the length of the memo"),
            (Array(bytes.dropLast(1)), "ends inside the memo"),
            (bytes + [0], "1 unexpected bytes"),
            (zeroAmount, "amount is invalid"),
        ]
        for (input, expected) in cases {
            #expect {
                try EntryBody(canonicalBytes: input)
            } throws: { error in
                "\(error)".contains(expected)
            }
        }
    }

    @Test("Bodies with bad fields cannot be built")
    func badFields() {
        let peer = Self.fixedPeer
        #expect(throws: LedgerError.self) {
            try EntryBody(kind: .grant, from: .mint, to: .peer(peer), amount: 0, author: peer, timestamp: 0)
        }
        #expect(throws: LedgerError.self) {
            try EntryBody(kind: .grant, from: .mint, to: .peer(peer), amount: -3, author: peer, timestamp: 0)
        }
        #expect(throws: LedgerError.self) {
            try EntryBody(
                kind: .grant, from: .mint, to: .peer(PeerID(publicKey: [1, 2])), amount: 1, author: peer,
                timestamp: 0)
        }
        #expect(throws: LedgerError.self) {
            try EntryBody(
                kind: .grant, from: .mint, to: .peer(peer), amount: 1, author: peer, timestamp: 0,
                memo: String(repeating: "m", count: 1025))
        }
    }

    @Test("Signed entries verify, and any change to body or signature breaks them")
    func signing() throws {
        let fixture = Fixture()
        let signed = try fixture.escrow(10, job: "j", by: fixture.alice)
        #expect(signed.isSignatureValid)
        let received = SignedEntry(body: signed.body, signature: signed.signature)
        #expect(received.isSignatureValid)
        #expect(received == signed)

        var flipped = signed.signature
        flipped[0] ^= 1
        #expect(!SignedEntry(body: signed.body, signature: flipped).isSignatureValid)
        let otherBody = try EntryBody(
            kind: .escrow, from: .peer(fixture.alice.peerID), to: .escrow(job: "j"), amount: 11, job: "j",
            author: fixture.alice.peerID, timestamp: signed.body.timestamp)
        #expect(!SignedEntry(body: otherBody, signature: signed.signature).isSignatureValid)
        #expect(throws: LedgerError.self) { try otherBody.signed(by: fixture.bob) }
    }

    @Test("Signed entries and leaf bytes survive serialization")
    func serialization() throws {
        let fixture = Fixture()
        let signed = try fixture.grant(5, to: fixture.bob.peerID)
        let decoded = try SignedEntry(serializedBytes: signed.serializedBytes)
        #expect(decoded == signed)
        #expect(decoded.isSignatureValid)
        #expect(throws: LedgerError.self) { try SignedEntry(serializedBytes: Array(signed.serializedBytes.dropLast())) }

        let entry = LedgerEntry(seq: 1, signed: signed, prevHash: LedgerEntry.genesisHash)
        #expect(entry.hash == Digest.sha256(entry.leafBytes))
        let replica = try LedgerEntry(leafBytes: entry.leafBytes)
        #expect(replica == entry)
    }
}
