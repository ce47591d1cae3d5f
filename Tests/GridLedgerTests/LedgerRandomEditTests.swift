import Foundation
import GRDB
import GridCore
import GridTestKit
import Testing
@testable import GridLedger

/// Property: whatever single value a tamperer changes in the entries, the caches or the stored tree — any column, any
/// storage class, NUL bytes, other spellings, past the schema's CHECK constraints — verification reports the ledger
/// as invalid, and never crashes.
@Suite("Ledger verification against random edits")
struct LedgerRandomEditTests {
    let fixture = Fixture()

    /// A table, how its rows are addressed, and the columns an edit may change.
    struct Table {
        let name: String
        let key: [String]
        let columns: [String]
    }

    static let tables = [
        Table(name: "ledger_entries", key: ["seq"], columns: Rows.columns.components(separatedBy: ", ")),
        Table(name: "ledger_balances", key: ["account"], columns: ["account", "balance"]),
        Table(name: "ledger_jobs", key: ["job"], columns: Rows.jobColumns.components(separatedBy: ", ")),
        Table(name: "ledger_tree_nodes", key: ["level", "idx"], columns: ["level", "idx", "hash"]),
    ]

    /// One edit: the table, the row (by key), the column and the value written there (a blob cast to text when
    /// `asText`, so text keeps any NUL byte: GRDB binds text as a C string).
    struct Edit: CustomStringConvertible {
        let table: Table
        let key: [DatabaseValue]
        let column: String
        let value: DatabaseValue
        let asText: Bool

        var description: String { "\(table.name).\(column) of \(key) := \(asText ? "text " : "")\(value)" }

        var whereClause: String { table.key.map { "\($0) = ?" }.joined(separator: " AND ") }

        var valueExpression: String { asText ? "CAST(? AS TEXT)" : "?" }

        var arguments: StatementArguments { StatementArguments([value] + key) }
    }

    @Test("Any one edited value is reported as invalid", arguments: [0x5eed_0001, 0x5eed_0002, 0x5eed_0003] as [UInt64])
    func randomEdits(seed: UInt64) async throws {
        var random = SeededRandom(seed: seed)
        var edits = 0
        for _ in 0..<150 {
            try await withLedger(fixture) { store in
                try await store.append(contentsOf: try fixture.history())
                guard let edit = try await Self.edit(in: store, random: &random) else { return }
                edits += 1
                let result = try await store.verify()
                #expect(!result.isValid, "seed \(seed): \(edit) was accepted")
            }
        }
        // Most draws change something (an edit that leaves the value as it was, or collides with a key, is skipped).
        #expect(edits > 100)
    }

    /// Draws and applies an edit, as a tamperer would (triggers dropped, CHECK constraints off); nil when the drawn
    /// value is the one already there or the row's key is taken.
    static func edit(in store: LedgerStore, random: inout SeededRandom) async throws -> Edit? {
        let table = tables.randomElement(using: &random)!
        let column = table.columns.randomElement(using: &random)!
        let pick = Double.random(in: 0..<1, using: &random)
        let (key, original) = try await store.database.read { db -> ([DatabaseValue], DatabaseValue) in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table.name)") ?? 0
            let row = try Row.fetchOne(
                db, sql: "SELECT \(table.key.joined(separator: ", ")), \(column) FROM \(table.name) "
                    + "ORDER BY \(table.key.joined(separator: ", ")) LIMIT 1 OFFSET ?",
                arguments: [Int(pick * Double(count))])!
            let values = Array(row.databaseValues)
            return (Array(values.dropLast()), values.last!)
        }
        let (value, asText) = value(replacing: original, random: &random)
        let edit = Edit(table: table, key: key, column: column, value: value, asText: asText)
        return try await store.database.write { db -> Edit? in
            let changed = try Bool.fetchOne(
                db, sql: "SELECT NOT (\(column) IS \(edit.valueExpression)) FROM \(table.name) WHERE \(edit.whereClause)",
                arguments: edit.arguments) ?? false
            guard changed else { return nil }
            try db.execute(sql: """
                DROP TRIGGER IF EXISTS ledger_entries_no_update; DROP TRIGGER IF EXISTS ledger_tree_nodes_no_update;
                PRAGMA ignore_check_constraints = ON;
                """)
            do {
                try db.execute(sql: "UPDATE \(table.name) SET \(column) = \(edit.valueExpression) WHERE \(edit.whereClause)",
                               arguments: edit.arguments)
            } catch let error as DatabaseError
                        where error.resultCode == .SQLITE_CONSTRAINT || error.resultCode == .SQLITE_MISMATCH {
                return nil  // the new key is another row's, or a seq that is not an integer (SQLite refuses both)
            }
            return edit
        }
    }

    /// A value of any storage class, often close to the original (one byte changed, a NUL and more appended, upper
    /// case, one byte more or less), and whether it is to be stored as text.
    static func value(replacing original: DatabaseValue, random: inout SeededRandom) -> (DatabaseValue, asText: Bool) {
        var bytes: [UInt8]
        switch original.storage {
        case .string(let text): bytes = Array(text.utf8)
        case .blob(let data): bytes = Array(data)
        case .int64(let number): bytes = Array(String(number).utf8)
        default: bytes = []
        }
        switch Int.random(in: 0..<10, using: &random) {
        case 0: return (.null, false)
        case 1: return (Int64.random(in: -3...1_000, using: &random).databaseValue, false)
        case 2: return (Double.random(in: -10...10, using: &random).databaseValue, false)
        case 3:
            if case .int64(let number) = original.storage { return ((number &+ 1).databaseValue, false) }
            return (Int64.random(in: Int64.min...Int64.max, using: &random).databaseValue, false)
        case 4:
            if !bytes.isEmpty {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= 1 << UInt8.random(in: 0...6, using: &random)
            }
        case 5: bytes += [0] + Array("x".utf8)
        case 6: bytes = Array(String(decoding: bytes, as: UTF8.self).uppercased().utf8)
        case 7: if bytes.isEmpty { bytes = [0x61] } else { bytes.removeLast() }
        case 8: bytes.append(UInt8.random(in: 0...255, using: &random))
        default:
            bytes = (0..<Int.random(in: 0...80, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        }
        // Bytes go in as a blob: as the original's class, or (for text, and now and then for a number) cast to text.
        if case .blob = original.storage { return (Data(bytes).databaseValue, false) }
        return (Data(bytes).databaseValue, !(Bool.random(using: &random) && original.storage.isInteger))
    }
}

private extension DatabaseValue.Storage {
    var isInteger: Bool {
        if case .int64 = self { return true }
        return false
    }
}
