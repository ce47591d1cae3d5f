import GridCore
import GridCrypto
import Testing
@testable import GridLedgerModel
import GridTestKit

@Suite("Credit rules")
struct CreditRulesTests {
    /// One case: entries applied in order to an empty sheet, and the message expected for the last one (nil = ok).
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let build: @Sendable (Fixture) throws -> [EntryBody]
        let refusal: String?
        var testDescription: String { name }
    }

    static let fixture = Fixture()

    static func body(
        _ kind: EntryKind, _ from: Account, _ to: Account, _ amount: Int64, job: String?, author: PeerID
    ) throws -> EntryBody {
        try EntryBody(kind: kind, from: from, to: to, amount: amount, job: job, author: author, timestamp: 1)
    }

    static let cases: [Case] = [
        Case(name: "grant from the mint", build: { f in
            [try f.grant(10, to: f.alice.peerID).body]
        }, refusal: nil),
        Case(name: "escrow within the balance", build: { f in
            [try f.grant(10, to: f.alice.peerID).body, try f.escrow(10, job: "j", by: f.alice).body]
        }, refusal: nil),
        Case(name: "escrow beyond the balance", build: { f in
            [try f.grant(7, to: f.alice.peerID).body, try f.escrow(10, job: "j", by: f.alice).body]
        }, refusal: "Peer \(fixture.alice.peerID.short) has 7 credits and cannot escrow 10."),
        Case(name: "escrow with no credits at all", build: { f in
            [try f.escrow(1, job: "j", by: f.bob).body]
        }, refusal: "has 0 credits and cannot escrow 1"),
        Case(name: "second escrow for one job", build: { f in
            [try f.grant(10, to: f.alice.peerID).body, try f.escrow(5, job: "j", by: f.alice).body,
             try f.escrow(5, job: "j", by: f.alice).body]
        }, refusal: "Job j already has an escrow"),
        Case(name: "payment then refund of the remainder", build: { f in
            [try f.grant(10, to: f.alice.peerID).body, try f.escrow(10, job: "j", by: f.alice).body,
             try f.payment(6, job: "j", to: f.worker.peerID).body, try f.refund(4, job: "j", to: f.alice.peerID).body]
        }, refusal: nil),
        Case(name: "refund of the whole escrow", build: { f in
            [try f.grant(10, to: f.alice.peerID).body, try f.escrow(10, job: "j", by: f.alice).body,
             try f.refund(10, job: "j", to: f.alice.peerID).body]
        }, refusal: nil),
        Case(name: "payment above the escrow", build: { f in
            [try f.grant(10, to: f.alice.peerID).body, try f.escrow(10, job: "j", by: f.alice).body,
             try f.payment(11, job: "j", to: f.worker.peerID).body]
        }, refusal: "more than its escrow of 10"),
        Case(name: "payment and refund summing above the escrow", build: { f in
            [try f.grant(10, to: f.alice.peerID).body, try f.escrow(10, job: "j", by: f.alice).body,
             try f.payment(6, job: "j", to: f.worker.peerID).body, try f.refund(5, job: "j", to: f.alice.peerID).body]
        }, refusal: "would settle 11 credits, more than its escrow of 10 (6 already settled)"),
        Case(name: "second payment to one worker", build: { f in
            [try f.grant(10, to: f.alice.peerID).body, try f.escrow(10, job: "j", by: f.alice).body,
             try f.payment(2, job: "j", to: f.worker.peerID).body, try f.payment(2, job: "j", to: f.worker.peerID).body]
        }, refusal: "a worker is paid at most once per job"),
        Case(name: "payments to two workers of a quorum", build: { f in
            [try f.grant(10, to: f.alice.peerID).body, try f.escrow(10, job: "j", by: f.alice).body,
             try f.payment(2, job: "j", to: f.worker.peerID).body, try f.payment(2, job: "j", to: f.bob.peerID).body]
        }, refusal: nil),
        Case(name: "second refund", build: { f in
            [try f.grant(10, to: f.alice.peerID).body, try f.escrow(10, job: "j", by: f.alice).body,
             try f.refund(2, job: "j", to: f.alice.peerID).body, try f.refund(2, job: "j", to: f.alice.peerID).body]
        }, refusal: "Job j already has a refund"),
        Case(name: "payment without escrow", build: { f in
            [try f.payment(1, job: "j", to: f.worker.peerID).body]
        }, refusal: "Job j has no escrow, so it cannot have a payment"),
        Case(name: "refund to someone other than the submitter", build: { f in
            [try f.grant(10, to: f.alice.peerID).body, try f.escrow(10, job: "j", by: f.alice).body,
             try f.refund(10, job: "j", to: f.bob.peerID).body]
        }, refusal: "must go to its submitter, peer \(fixture.alice.peerID.short)"),
        Case(name: "grant authored by a peer", build: { f in
            [try body(.grant, .mint, .peer(f.alice.peerID), 5, job: nil, author: f.alice.peerID)]
        }, refusal: "A grant must be authored by the ledger operator"),
        Case(name: "escrow authored by the operator", build: { f in
            [try f.grant(10, to: f.alice.peerID).body,
             try body(.escrow, .peer(f.alice.peerID), .escrow(job: "j"), 5, job: "j", author: f.operatorID)]
        }, refusal: "An escrow must be authored by the peer paying it"),
        Case(name: "payment authored by the worker", build: { f in
            [try f.grant(10, to: f.alice.peerID).body, try f.escrow(10, job: "j", by: f.alice).body,
             try body(.payment, .escrow(job: "j"), .peer(f.worker.peerID), 5, job: "j", author: f.worker.peerID)]
        }, refusal: "A payment must be authored by the ledger operator"),
        Case(name: "grant to an escrow", build: { f in
            [try body(.grant, .mint, .escrow(job: "j"), 5, job: nil, author: f.operatorID)]
        }, refusal: "A grant must go from the mint to a peer"),
        Case(name: "grant naming a job", build: { f in
            [try body(.grant, .mint, .peer(f.alice.peerID), 5, job: "j", author: f.operatorID)]
        }, refusal: "a grant names no job"),
        Case(name: "escrow from the mint", build: { f in
            [try body(.escrow, .mint, .escrow(job: "j"), 5, job: "j", author: f.operatorID)]
        }, refusal: "An escrow must go from a peer to a job's escrow account"),
        Case(name: "escrow naming another job", build: { f in
            [try f.grant(10, to: f.alice.peerID).body,
             try body(.escrow, .peer(f.alice.peerID), .escrow(job: "j"), 5, job: "k", author: f.alice.peerID)]
        }, refusal: "must name the job of its escrow account escrow:j; this one names job k"),
        Case(name: "payment from a peer", build: { f in
            [try body(.payment, .peer(f.alice.peerID), .peer(f.worker.peerID), 5, job: "j", author: f.operatorID)]
        }, refusal: "A payment must go from a job's escrow account to a peer"),
        Case(name: "refund naming no job", build: { f in
            [try body(.refund, .escrow(job: "j"), .peer(f.alice.peerID), 5, job: nil, author: f.operatorID)]
        }, refusal: "this one names no job"),
        Case(name: "peer to peer payment", build: { f in
            [try body(.payment, .peer(f.alice.peerID), .escrow(job: "j"), 5, job: "j", author: f.operatorID)]
        }, refusal: "A payment must go from a job's escrow account to a peer"),
        Case(name: "grant overflowing a balance", build: { f in
            [try f.grant(.max, to: f.alice.peerID).body, try f.grant(1, to: f.alice.peerID).body]
        }, refusal: "would overflow"),
    ]

    @Test("Each credit rule allows or refuses with its message", arguments: cases)
    func rule(_ testCase: Case) throws {
        let fixture = Self.fixture
        let bodies = try testCase.build(fixture)
        var sheet = BalanceSheet()
        for body in bodies.dropLast() {
            try sheet.apply(body, operator: fixture.operatorID)
        }
        let before = sheet
        let last = try #require(bodies.last)
        if let refusal = testCase.refusal {
            #expect {
                try sheet.apply(last, operator: fixture.operatorID)
            } throws: { error in
                "\(error)".contains(refusal)
            }
            #expect(sheet == before, "a refused entry must leave the sheet unchanged")
        } else {
            try sheet.apply(last, operator: fixture.operatorID)
        }
    }

    @Test("Balances are derived from the entries and credits are conserved")
    func replay() throws {
        let fixture = Self.fixture
        let sheet = try BalanceSheet.replaying(try fixture.history().map(\.body), operator: fixture.operatorID)
        #expect(sheet.balance(of: .mint) == -150)
        #expect(sheet.balance(of: .peer(fixture.alice.peerID)) == 75)
        #expect(sheet.balance(of: .peer(fixture.bob.peerID)) == 50)
        #expect(sheet.balance(of: .peer(fixture.worker.peerID)) == 25)
        #expect(sheet.balance(of: .escrow(job: "job-1")) == 0)
        #expect(sheet.balance(of: .escrow(job: "job-2")) == 0)
        #expect(sheet.balances.values.reduce(0, +) == 0)
        let job1 = try #require(sheet.jobs["job-1"])
        #expect(job1 == JobSettlement(submitter: fixture.alice.peerID, escrowed: 30, paid: 25, refunded: 5,
                                      payees: [fixture.worker.peerID]))
        #expect(job1.remaining == 0)
    }
}
