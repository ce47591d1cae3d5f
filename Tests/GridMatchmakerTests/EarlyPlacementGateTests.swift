import GridCore
import GridCrypto
@testable import GridMatchmaker
import Testing

@Suite("Early placement gate")
struct EarlyPlacementGateTests {
    let alice = Identity.generate().peerID
    let bob = Identity.generate().peerID

    @Test("nothing is allowed for a submitter the store has not reported on, nor an escrow of nothing")
    func unknownAllowsNothing() {
        var gate = EarlyPlacementGate()
        #expect(!gate.allows(1, for: alice))
        gate.finished(5, by: alice, reporting: .init(balance: 100, seq: 3))
        #expect(gate.allows(100, for: alice))
        #expect(!gate.allows(101, for: alice))
        #expect(!gate.allows(0, for: alice) && !gate.allows(-1, for: alice))
        #expect(!gate.allows(1, for: bob))
    }

    @Test("escrows handed to the store and not finished count against the balance until they finish")
    func pendingEscrowsCount() {
        var gate = EarlyPlacementGate()
        gate.finished(0, by: alice, reporting: .init(balance: 10, seq: 1))
        gate.handed(6, by: alice)
        #expect(gate.allows(4, for: alice))
        #expect(!gate.allows(5, for: alice))
        gate.handed(4, by: alice)
        #expect(!gate.allows(1, for: alice))
        // The first commits: the store read 4 left after it; the second is still pending.
        gate.finished(6, by: alice, reporting: .init(balance: 4, seq: 2))
        #expect(!gate.allows(1, for: alice))
        // The second is refused: nothing was escrowed, so the 4 are there again.
        gate.finished(4, by: alice, reporting: nil)
        #expect(gate.allows(4, for: alice))
        #expect(!gate.allows(5, for: alice))
    }

    @Test("a report older than the one held is ignored, so a late batch cannot raise the bound")
    func olderReportIgnored() {
        var gate = EarlyPlacementGate()
        gate.finished(0, by: alice, reporting: .init(balance: 3, seq: 30))
        gate.finished(0, by: alice, reporting: .init(balance: 50, seq: 20))
        #expect(!gate.allows(4, for: alice))
        gate.finished(0, by: alice, reporting: .init(balance: 9, seq: 31))
        #expect(gate.allows(9, for: alice))
    }

    @Test("at most `limit` of a submitter's jobs are placed early and unconfirmed at once; others are not held back")
    func limitPerSubmitter() {
        var gate = EarlyPlacementGate(limit: 2)
        gate.finished(0, by: alice, reporting: .init(balance: 100, seq: 1))
        gate.finished(0, by: bob, reporting: .init(balance: 100, seq: 2))
        gate.placed(by: alice)
        #expect(gate.allows(1, for: alice))
        gate.placed(by: alice)
        #expect(!gate.allows(1, for: alice))
        #expect(gate.allows(1, for: bob))
        gate.resolved(by: alice)
        #expect(gate.allows(1, for: alice))
    }

    @Test("a barred submitter is never allowed again; a forgotten one waits for the next report")
    func barredAndForgotten() {
        var gate = EarlyPlacementGate()
        gate.finished(0, by: alice, reporting: .init(balance: 100, seq: 1))
        gate.bar(alice)
        #expect(!gate.allows(1, for: alice))
        gate.finished(0, by: alice, reporting: .init(balance: 100, seq: 2))
        #expect(!gate.allows(1, for: alice))
        #expect(gate.barred == [alice])
        gate.finished(0, by: bob, reporting: .init(balance: 100, seq: 3))
        gate.forget(bob)
        #expect(!gate.allows(1, for: bob))
        gate.finished(0, by: bob, reporting: .init(balance: 90, seq: 4))
        #expect(gate.allows(90, for: bob))
    }
}
