import GridClient
import GridCore
import Testing

@Suite("Ready lines")
struct ReadyLineTests {
    let peer = PeerID(publicKey: [UInt8](repeating: 0xab, count: 32))

    @Test("what the matchmaker and worker print is what the demo and tests parse")
    func roundTrip() {
        let matchmaker = ReadyLine.parseMatchmaker(ReadyLine.matchmaker(peer: peer, host: "127.0.0.1", port: 41583))
        #expect(matchmaker?.peer == peer)
        #expect(matchmaker?.port == 41583)
        let worker = ReadyLine.parseWorker(
            ReadyLine.worker(peer: peer, matchmaker: "127.0.0.1:7700", capabilities: ["a.b@1.0.0", "c.d@2.1.0"]))
        #expect(worker?.peer == peer)
        #expect(worker?.capabilities == ["a.b@1.0.0", "c.d@2.1.0"])
    }

    @Test("other lines are not mistaken for ready lines")
    func rejects() {
        #expect(ReadyLine.parseMatchmaker("matchmaker nothex listening on 127.0.0.1:1") == nil)
        #expect(ReadyLine.parseMatchmaker("warning: listening on 127.0.0.1:1") == nil)
        #expect(ReadyLine.parseWorker("worker \(peer.hex) waiting") == nil)
        #expect(!ReadyLine.isWorker(ReadyLine.matchmaker(peer: peer, host: "h", port: 1)))
    }
}
