import GridCore
import GridCrypto
import Testing

@testable import GridLedger

/// Result entries: their encoding, their fields, and the rules they follow.
@Suite("Result entries")
struct ResultEntryTests {
    static let operatorKey = Identity.generate()
    static let worker = PeerID(publicKey: [UInt8](repeating: 7, count: 32))

    static func record(verdict: ResultRecord.Verdict = .accepted) throws -> ResultRecord {
        try ResultRecord(capability: "hash.sha256", capabilityVersion: "1.2.0", plugin: "hash", pluginVersion: "0.3.0",
                         pluginDigest: [UInt8](repeating: 1, count: 32), outputDigest: [UInt8](repeating: 2, count: 32),
                         failure: nil, cpuMillis: 12, attempt: 2, verdict: verdict)
    }

    static func body(_ record: ResultRecord, to: Account = .peer(worker), amount: Int64 = 0) throws -> EntryBody {
        try EntryBody(kind: .result, from: .escrow(job: "j"), to: to, amount: amount, job: "j",
                      author: operatorKey.peerID, timestamp: 5, result: record)
    }

    @Test("a result entry survives its canonical encoding, which only kind 5 extends")
    func roundTrip() throws {
        let body = try Self.body(try Self.record())
        let decoded = try EntryBody(canonicalBytes: body.canonicalBytes)
        #expect(decoded == body)
        #expect(decoded.result?.capabilityVersion == "1.2.0" && decoded.result?.cpuMillis == 12)
        let failed = try ResultRecord(capability: "c.d", capabilityVersion: "", plugin: "", pluginVersion: "",
                                      pluginDigest: nil, outputDigest: nil, failure: "no worker took it", cpuMillis: 0,
                                      attempt: 0, verdict: .failed)
        let noWorker = try Self.body(failed, to: .escrow(job: "j"))
        #expect(try EntryBody(canonicalBytes: noWorker.canonicalBytes) == noWorker)
        var bytes = body.canonicalBytes
        bytes.removeLast()
        #expect(throws: LedgerError.self) { try EntryBody(canonicalBytes: bytes) }
    }

    @Test("bad result fields are refused, naming the field")
    func badFields() throws {
        func refusal(_ build: () throws -> Any) -> String {
            do { _ = try build(); return "" } catch { return "\(error)" }
        }
        #expect(refusal { try Self.body(try Self.record(), amount: 1) }.contains("moves no credits"))
        #expect(refusal {
            try EntryBody(kind: .payment, from: .escrow(job: "j"), to: .peer(Self.worker), amount: 1, job: "j",
                          author: Self.operatorKey.peerID, timestamp: 1, result: try Self.record())
        }.contains("only a result entry carries one"))
        #expect(refusal {
            try ResultRecord(capability: "c", capabilityVersion: "", plugin: "", pluginVersion: "", pluginDigest: nil,
                             outputDigest: [1, 2], failure: nil, cpuMillis: 0, attempt: 1, verdict: .accepted)
        }.contains("output digest is invalid: a SHA-256 digest is 32 bytes, got 2"))
        #expect(refusal {
            try ResultRecord(capability: "c", capabilityVersion: "", plugin: "", pluginVersion: "", pluginDigest: nil,
                             outputDigest: nil, failure: "x", cpuMillis: 0, attempt: 1, verdict: .accepted)
        }.contains("can only be 'failed'"))
    }

    @Test("a result needs the job's escrow and moves nothing; two workers of a quorum can each be paid once")
    func rules() throws {
        let submitter = Identity.generate()
        let op = Self.operatorKey.peerID
        var sheet = BalanceSheet()
        try sheet.apply(try EntryBody(kind: .grant, from: .mint, to: .peer(submitter.peerID), amount: 10, author: op,
                                      timestamp: 1), operator: op)
        #expect(throws: LedgerError.self) { try sheet.apply(try Self.body(try Self.record()), operator: op) }
        try sheet.apply(try EntryBody(kind: .escrow, from: .peer(submitter.peerID), to: .escrow(job: "j"), amount: 6,
                                      job: "j", author: submitter.peerID, timestamp: 2), operator: op)
        let before = sheet.balances
        try sheet.apply(try Self.body(try Self.record()), operator: op)
        #expect(sheet.balances == before)
        let other = PeerID(publicKey: [UInt8](repeating: 8, count: 32))
        for worker in [Self.worker, other] {
            try sheet.apply(try EntryBody(kind: .payment, from: .escrow(job: "j"), to: .peer(worker), amount: 2,
                                          job: "j", author: op, timestamp: 3), operator: op)
        }
        #expect(sheet.jobs["j"]?.paid == 4 && sheet.jobs["j"]?.payees == [Self.worker, other])
        #expect(throws: LedgerError.self) {
            try sheet.apply(try EntryBody(kind: .payment, from: .escrow(job: "j"), to: .peer(other), amount: 1,
                                          job: "j", author: op, timestamp: 4), operator: op)
        }
        let wrongAuthor = try EntryBody(kind: .result, from: .escrow(job: "j"), to: .peer(Self.worker), amount: 0,
                                        job: "j", author: submitter.peerID, timestamp: 5, result: try Self.record())
        #expect(throws: LedgerError.self) { try sheet.apply(wrongAuthor, operator: op) }
    }

    @Test("a stored ledger with results and several payments per job verifies, and its caches match")
    func storedAndVerified() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try LedgerStore(path: folder.path("l.sqlite"), operator: Self.operatorKey.peerID)
        let submitter = Identity.generate()
        let op = Self.operatorKey.peerID
        let other = PeerID(publicKey: [UInt8](repeating: 8, count: 32))
        let bodies = [
            try EntryBody(kind: .grant, from: .mint, to: .peer(submitter.peerID), amount: 10, author: op, timestamp: 1),
            try EntryBody(kind: .escrow, from: .peer(submitter.peerID), to: .escrow(job: "j"), amount: 6, job: "j",
                          author: submitter.peerID, timestamp: 2),
            try Self.body(try Self.record()),
            try Self.body(try Self.record(verdict: .disagreed), to: .peer(other)),
            try EntryBody(kind: .payment, from: .escrow(job: "j"), to: .peer(Self.worker), amount: 2, job: "j",
                          author: op, timestamp: 3),
            try EntryBody(kind: .refund, from: .escrow(job: "j"), to: .peer(submitter.peerID), amount: 4, job: "j",
                          author: op, timestamp: 3),
        ]
        let signed = try bodies.map { try $0.signed(by: $0.author == op ? Self.operatorKey : submitter) }
        _ = try await store.append(contentsOf: signed)
        let entries = try await store.database.read { try Ledger.entries(forJob: "j", in: $0) }
        #expect(entries.compactMap { $0.body.result?.verdict } == [ResultRecord.Verdict.accepted, .disagreed])
        let verification = try await store.verify()
        #expect(verification.isValid, "\(verification)")
    }
}
