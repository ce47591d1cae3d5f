import GridCore
import GridCrypto
@testable import GridMatchmaker
import Testing

@Suite("Credit bounds for early placement")
struct CreditBoundsTests {
    let alice = Identity.generate().peerID
    let bob = Identity.generate().peerID

    @Test("nothing is covered for a submitter the store has not reported on, nor an escrow of nothing")
    func unknownCoversNothing() {
        var bounds = CreditBounds()
        #expect(!bounds.covers(1, for: alice))
        bounds.finished(5, by: alice, reporting: .init(balance: 100, seq: 3))
        #expect(bounds.covers(100, for: alice))
        #expect(!bounds.covers(101, for: alice))
        #expect(!bounds.covers(0, for: alice) && !bounds.covers(-1, for: alice))
        #expect(!bounds.covers(1, for: bob))
    }

    @Test("escrows handed to the store and not finished count against the balance until they finish")
    func pendingEscrowsCount() {
        var bounds = CreditBounds()
        bounds.finished(0, by: alice, reporting: .init(balance: 10, seq: 1))
        bounds.handed(6, by: alice)
        #expect(bounds.covers(4, for: alice))
        #expect(!bounds.covers(5, for: alice))
        bounds.handed(4, by: alice)
        #expect(!bounds.covers(1, for: alice))
        // The first commits: the store read 4 left after it; the second is still pending.
        bounds.finished(6, by: alice, reporting: .init(balance: 4, seq: 2))
        #expect(!bounds.covers(1, for: alice))
        // The second is refused: nothing was escrowed, so the 4 are there again.
        bounds.finished(4, by: alice, reporting: nil)
        #expect(bounds.covers(4, for: alice))
        #expect(!bounds.covers(5, for: alice))
    }

    @Test("a report older than the one held is ignored, so a late batch cannot raise the bound")
    func olderReportIgnored() {
        var bounds = CreditBounds()
        bounds.finished(0, by: alice, reporting: .init(balance: 3, seq: 30))
        bounds.finished(0, by: alice, reporting: .init(balance: 50, seq: 20))
        #expect(!bounds.covers(4, for: alice))
        bounds.finished(0, by: alice, reporting: .init(balance: 9, seq: 31))
        #expect(bounds.covers(9, for: alice))
    }

    @Test("a barred submitter is never covered again, whatever the store reports")
    func barred() {
        var bounds = CreditBounds()
        bounds.finished(0, by: alice, reporting: .init(balance: 100, seq: 1))
        bounds.bar(alice)
        #expect(!bounds.covers(1, for: alice))
        bounds.finished(0, by: alice, reporting: .init(balance: 100, seq: 2))
        #expect(!bounds.covers(1, for: alice))
        #expect(bounds.barred == [alice])
    }
}
