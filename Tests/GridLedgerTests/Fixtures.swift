import Foundation
import GRDB
import GridCore
import GridCrypto
@testable import GridLedger

/// Identities, entry builders and temporary ledger files shared by the ledger tests.
struct Fixture {
    let operatorIdentity = Identity.generate()
    let alice = Identity.generate()
    let bob = Identity.generate()
    let worker = Identity.generate()

    var operatorID: PeerID { operatorIdentity.peerID }

    func grant(_ amount: Int64, to peer: PeerID, at time: Int64 = 1_000) throws -> SignedEntry {
        try EntryBody(kind: .grant, from: .mint, to: .peer(peer), amount: amount, author: operatorID, timestamp: time)
            .signed(by: operatorIdentity)
    }

    func escrow(_ amount: Int64, job: String, by payer: Identity, at time: Int64 = 2_000) throws -> SignedEntry {
        try EntryBody(
            kind: .escrow, from: .peer(payer.peerID), to: .escrow(job: job), amount: amount, job: job,
            author: payer.peerID, timestamp: time
        ).signed(by: payer)
    }

    func payment(_ amount: Int64, job: String, to peer: PeerID, at time: Int64 = 3_000) throws -> SignedEntry {
        try EntryBody(
            kind: .payment, from: .escrow(job: job), to: .peer(peer), amount: amount, job: job, author: operatorID,
            timestamp: time
        ).signed(by: operatorIdentity)
    }

    func refund(_ amount: Int64, job: String, to peer: PeerID, at time: Int64 = 4_000) throws -> SignedEntry {
        try EntryBody(
            kind: .refund, from: .escrow(job: job), to: .peer(peer), amount: amount, job: job, author: operatorID,
            timestamp: time
        ).signed(by: operatorIdentity)
    }

    /// A small valid history: grants, two jobs escrowed, one paid with a refund of the rest, one refunded in full.
    func history() throws -> [SignedEntry] {
        [
            try grant(100, to: alice.peerID),
            try grant(50, to: bob.peerID),
            try escrow(30, job: "job-1", by: alice),
            try escrow(20, job: "job-2", by: bob),
            try payment(25, job: "job-1", to: worker.peerID),
            try refund(5, job: "job-1", to: alice.peerID),
            try refund(20, job: "job-2", to: bob.peerID),
        ]
    }
}

/// A folder under the system temporary directory, removed by `remove()`.
struct TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("grid-ledger-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// Opens a fresh ledger file in a temporary folder, runs `body`, then removes the folder.
func withLedger<T>(
    _ fixture: Fixture, _ body: (LedgerStore) async throws -> T
) async throws -> T {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let store = try LedgerStore(path: folder.path("ledger.sqlite"), operator: fixture.operatorID)
    return try await body(store)
}

/// Runs raw SQL on the ledger file as a tamperer would, dropping the append-only triggers first.
func tamper(_ store: LedgerStore, _ sql: String) async throws {
    try await store.database.write { db in
        try db.execute(sql: """
            DROP TRIGGER IF EXISTS ledger_entries_no_update;
            DROP TRIGGER IF EXISTS ledger_entries_no_delete;
            """)
        try db.execute(sql: sql)
    }
}

extension PeerID {
    /// A peer id whose 32 key bytes are all `byte`, for fixed encodings.
    static func repeating(_ byte: UInt8) -> PeerID {
        PeerID(publicKey: [UInt8](repeating: byte, count: 32))
    }
}
