import Foundation
import GRDB
import GridCore
import GridCrypto
@testable import GridLedger
import GridTestKit

/// Identities and entry builders (GridTestKit's, shared with GridLedgerModelTests).
typealias Fixture = LedgerFixture

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
