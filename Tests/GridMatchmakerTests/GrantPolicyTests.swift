import Foundation
import GridCore
import GridCrypto
import GridLedger
import GridTestKit
import Testing

@testable import GridMatchmaker

@Suite("Grant policy")
struct GrantPolicyTests {
    let alice = Identity.generate().peerID
    let bob = Identity.generate().peerID
    let fresh = GrantWindow(start: 0, granted: 0)

    func policy(_ eligibility: GrantPolicy.Eligibility, amount: Int = 100, cap: Int? = nil,
                period: Duration = .seconds(60)) -> GrantPolicy {
        var policy = GrantPolicy()
        policy.eligibility = eligibility
        policy.amount = amount
        policy.capPerPeriod = cap
        policy.period = period
        return policy
    }

    @Test("open grants every new peer once; a worker offering nothing gets nothing")
    func open() {
        let open = policy(.open)
        #expect(open.decide(for: alice, offersWork: nil, alreadyGranted: false, window: fresh, now: 5).granted == 100)
        #expect(open.decide(for: alice, offersWork: true, alreadyGranted: false, window: fresh, now: 5).granted == 100)
        #expect(open.decide(for: alice, offersWork: nil, alreadyGranted: true, window: fresh, now: 5).granted == 0)
        #expect(open.decide(for: alice, offersWork: false, alreadyGranted: false, window: fresh, now: 5)
                == .refuse(reason: "the worker offers no capability"))
        #expect(policy(.open, amount: 0).decide(for: alice, offersWork: nil, alreadyGranted: false, window: fresh,
                                                now: 5).granted == 0)
    }

    @Test("an allow-list grants its peers only; none grants no one")
    func allowListAndNone() {
        let listed = policy(.allowList([alice]))
        #expect(listed.decide(for: alice, offersWork: nil, alreadyGranted: false, window: fresh, now: 5).granted == 100)
        #expect(listed.decide(for: bob, offersWork: nil, alreadyGranted: false, window: fresh, now: 5)
                == .refuse(reason: "the peer is not on the grant allow-list"))
        #expect(policy(.nobody).decide(for: alice, offersWork: true, alreadyGranted: false, window: fresh, now: 5)
                == .refuse(reason: "the grant policy is none"))
    }

    @Test("the cap counts every welcome grant of the period and starts again with the next period")
    func capPerPeriod() {
        let capped = policy(.open, amount: 100, cap: 250, period: .seconds(60))
        var window = GrantWindow(start: 1_000, granted: 0)
        var granted: [Int] = []
        for (index, now) in [1_000, 2_000, 3_000, 4_000].enumerated() {
            let decision = capped.decide(for: Identity.generate().peerID, offersWork: nil, alreadyGranted: false,
                                         window: window, now: Int64(now))
            if case .grant(_, let next) = decision { window = next }
            granted.append(decision.granted)
            if index == 2 { #expect(decision == .capReached(cap: 250)) }
        }
        #expect(granted == [100, 100, 0, 0])
        // 60 s after the window opened, a new one starts.
        let later = capped.decide(for: alice, offersWork: nil, alreadyGranted: false, window: window, now: 61_000)
        #expect(later == .grant(amount: 100, window: GrantWindow(start: 61_000, granted: 100)))
        // A clock that went backwards starts a new window rather than granting nothing for ever.
        let back = capped.decide(for: alice, offersWork: nil, alreadyGranted: false, window: window, now: 10)
        #expect(back.granted == 100)
    }

    @Test("the store books grants under the policy, and the cap's window survives a restart")
    func storeKeepsTheWindow() throws {
        let folder = try TemporaryFolder("grid-grants")
        defer { folder.remove() }
        let operatorIdentity = Identity.generate()
        let path = folder.file("mm.sqlite")
        let capped = policy(.open, amount: 40, cap: 100, period: .seconds(3600))
        var store = try MatchmakerStore(path: path, identity: operatorIdentity, grants: capped)
        #expect(try store.grantIfNew(alice, now: 1_000).granted == 40)
        #expect(try store.grantIfNew(alice, now: 1_001).granted == 0)
        #expect(try store.grantIfNew(Identity.generate().peerID, now: 1_002, offersWork: false).granted == 0)
        #expect(try store.grantIfNew(bob, now: 1_003, offersWork: true).granted == 40)
        store = try MatchmakerStore(path: path, identity: operatorIdentity, grants: capped)
        #expect(try store.grantIfNew(Identity.generate().peerID, now: 2_000) == .capReached(cap: 100))
        #expect(try store.grantIfNew(Identity.generate().peerID, now: 3_601_000).granted == 40)
        #expect(try store.balance(of: alice) == 40 && store.balance(of: bob) == 40)
        // A transfer received is not a welcome grant: the receiver still gets its own.
        let carol = Identity.generate().peerID
        try store.database.write { db in
            let transfer = try EntryBody(kind: .grant, from: .peer(alice), to: .peer(carol), amount: 5,
                                         author: operatorIdentity.peerID, timestamp: 3_601_001)
            _ = try Ledger.append(try transfer.signed(by: operatorIdentity), operator: operatorIdentity.peerID, in: db)
        }
        #expect(try store.grantIfNew(carol, now: 3_601_002).granted == 40)
        #expect(try store.balance(of: carol) == 45 && store.balance(of: alice) == 35)
    }
}
