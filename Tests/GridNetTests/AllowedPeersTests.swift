import GridCore
import GridCrypto
import Testing
@testable import GridNet

/// The allow file of `grid matchmaker --allow-peers`.
@Suite struct AllowedPeersTests {
    @Test func readsOnePeerPerLineWithCommentsAndBlankLines() throws {
        let alice = Identity.generate().peerID
        let bob = Identity.generate().peerID
        let text = """
            # operators of the lab
            \(alice.hex)   # alice
              \(bob.hex.uppercased())

            \(alice.hex)
            """
        let allowed = try AllowedPeers(parsing: text + "\r\n", source: "allow.txt")
        #expect(allowed.peers == [alice, bob])
    }

    @Test func namesEveryBadLineByItsNumber() {
        let good = Identity.generate().peerID.hex
        let text = "\(good)\nnot-a-peer\n# fine\n\(good.dropLast())\n"
        #expect(throws: AllowedPeersError(source: "allow.txt", problems: [
            .init(line: 2, text: "not-a-peer"), .init(line: 4, text: String(good.dropLast())),
        ])) {
            try AllowedPeers(parsing: text, source: "allow.txt")
        }
        let error = AllowedPeersError(source: "allow.txt", problems: [.init(line: 2, text: "not-a-peer")])
        #expect(error.description == "allow.txt line 2: 'not-a-peer' is not a peer id (64 hex digits).")
    }

    @Test func aFileNamingNobodyIsRefused() {
        #expect(throws: AllowedPeersError(source: "empty.txt", problems: [])) {
            try AllowedPeers(parsing: "# nobody yet\n\n", source: "empty.txt")
        }
        #expect(AllowedPeersError(source: "empty.txt", problems: []).description.contains("lists no peer ids"))
    }
}
