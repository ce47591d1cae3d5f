import CSQLite
import Foundation
import GRDB

/// The row a statement stands on (a cursor over it has just returned one), read in place with SQLite's column
/// functions: no `DatabaseValue`, no copy of a text or blob that is only parsed or compared. Valid until the cursor
/// moves on.
struct StatementRow: ColumnValues {
    let statement: Statement

    var count: Int { statement.columnCount }

    private var raw: SQLiteStatement { statement.sqliteStatement }

    /// SQLite's storage classes.
    enum Kind: UInt8, Sendable {
        case null, integer, real, text, blob
    }

    func kind(at index: Int) -> Kind {
        switch sqlite3_column_type(raw, Int32(index)) {
        case SQLITE_INTEGER: return .integer
        case SQLITE_FLOAT: return .real
        case SQLITE_TEXT: return .text
        case SQLITE_BLOB: return .blob
        default: return .null
        }
    }

    func value(at index: Int) -> DatabaseValue {
        switch kind(at: index) {
        case .null: return .null
        case .integer: return sqlite3_column_int64(raw, Int32(index)).databaseValue
        case .real: return real(at: index).databaseValue
        case .text: return withBytes(index, text: true) { String(decoding: $0, as: UTF8.self) }.databaseValue
        case .blob: return withBytes(index, text: false) { Data($0) }.databaseValue
        }
    }

    /// The double at `index` (what SQLite converts the value to, when it is not one).
    func real(at index: Int) -> Double { sqlite3_column_double(raw, Int32(index)) }

    func isNull(at index: Int) -> Bool { sqlite3_column_type(raw, Int32(index)) == SQLITE_NULL }

    func integer(at index: Int) -> Int64? {
        sqlite3_column_type(raw, Int32(index)) == SQLITE_INTEGER ? sqlite3_column_int64(raw, Int32(index)) : nil
    }

    func text(at index: Int) -> String? {
        withText(at: index) { String(decoding: $0, as: UTF8.self) }
    }

    func withText<T>(at index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T? {
        guard sqlite3_column_type(raw, Int32(index)) == SQLITE_TEXT else { return nil }
        return withBytes(index, text: true, body)
    }

    func blob(at index: Int) -> [UInt8]? {
        withBlob(at: index) { [UInt8]($0) }
    }

    /// `body` applied to the bytes of the blob at `index`, in place; nil when the value is not a blob.
    func withBlob<T>(at index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T? {
        guard sqlite3_column_type(raw, Int32(index)) == SQLITE_BLOB else { return nil }
        return withBytes(index, text: false, body)
    }

    /// The pointer first, then the count: SQLite's order, so the count is of the form the pointer shows.
    private func withBytes<T>(_ index: Int, text: Bool, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        let column = Int32(index)
        let pointer = text
            ? sqlite3_column_text(raw, column).map(UnsafeRawPointer.init) : sqlite3_column_blob(raw, column)
        let count = Int(sqlite3_column_bytes(raw, column))
        guard let pointer, count > 0 else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
        return body(UnsafeBufferPointer(start: pointer.assumingMemoryBound(to: UInt8.self), count: count))
    }
}

extension StatementRow {
    /// Runs `body` on each row `sql` selects, read in place, until it returns false.
    static func forEach(
        in db: Database, sql: String, arguments: StatementArguments = [], _ body: (StatementRow) throws -> Bool
    ) throws {
        let statement = try db.makeStatement(sql: sql)
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        let row = StatementRow(statement: statement)
        while try rows.next() != nil {
            guard try body(row) else { return }
        }
    }
}
