import Foundation
import GRDB
import Testing
@testable import GridLedger

@Suite("Rows read in place and packed")
struct PackedRowsTests {
    /// Every storage class, empty texts and blobs, text beyond ASCII (no NUL: GRDB's rows stop at one, see below).
    static let rowsSQL = """
        CREATE TABLE t (id INTEGER PRIMARY KEY, a, b, c);
        INSERT INTO t VALUES (1, NULL, 42, -9223372036854775808);
        INSERT INTO t VALUES (2, 2.5, 'text', X'00FF10');
        INSERT INTO t VALUES (3, '', X'', 'héllo, wörld');
        INSERT INTO t VALUES (4, 9223372036854775807, 'peer:ab', NULL);
        """

    @Test("StatementRow and PackedRows.Row give the values GRDB's rows give")
    func sameValues() throws {
        let db = try DatabaseQueue()
        try db.write { try $0.execute(sql: Self.rowsSQL) }
        try db.read { db in
            let expected = try Row.fetchAll(db, sql: "SELECT * FROM t ORDER BY id").map { Array($0.databaseValues) }
            var live: [[DatabaseValue]] = []
            var packed: PackedRows?
            try StatementRow.forEach(in: db, sql: "SELECT * FROM t ORDER BY id") { row in
                live.append((0..<row.count).map { row.value(at: $0) })
                if packed == nil { packed = PackedRows(width: row.count, rows: 2, bytesPerRow: 1) }
                packed?.append(row)
                return true
            }
            let rows = try #require(packed)
            #expect(live == expected)
            #expect(rows.count == expected.count)
            #expect((0..<rows.count).map { index in (0..<rows.width).map { rows[index].value(at: $0) } } == expected)
        }
    }

    @Test("Text with a NUL is read whole, where GRDB's rows stop at the NUL")
    func textWithNul() throws {
        let db = try DatabaseQueue()
        try db.read { db in
            let sql = "SELECT 'job-1' || char(0) || 'x'"
            #expect(try String.fetchOne(db, sql: sql) == "job-1")
            var read: [String?] = []
            var packed = PackedRows(width: 1, rows: 1, bytesPerRow: 8)
            try StatementRow.forEach(in: db, sql: sql) { row in
                read.append(row.text(at: 0))
                packed.append(row)
                return true
            }
            #expect(read == ["job-1\u{0}x"])
            #expect(packed[0].text(at: 0) == "job-1\u{0}x")
        }
    }

    @Test("The typed accessors answer nil for another storage class")
    func typedAccessors() throws {
        let db = try DatabaseQueue()
        try db.write { try $0.execute(sql: Self.rowsSQL) }
        try db.read { db in
            var rows = PackedRows(width: 4, rows: 4, bytesPerRow: 16)
            try StatementRow.forEach(in: db, sql: "SELECT * FROM t ORDER BY id") { row in
                rows.append(row)
                return true
            }
            let first = rows[0], second = rows[1], third = rows[2]
            #expect(first.isNull(at: 1) && first.integer(at: 1) == nil && first.text(at: 1) == nil)
            #expect(first.integer(at: 2) == 42 && first.blob(at: 2) == nil)
            #expect(first.integer(at: 3) == Int64.min)
            #expect(second.integer(at: 1) == nil && second.value(at: 1) == 2.5.databaseValue)
            #expect(second.text(at: 2) == "text" && second.blob(at: 2) == nil)
            #expect(second.blob(at: 3) == [0x00, 0xFF, 0x10] && second.text(at: 3) == nil)
            #expect(third.text(at: 1) == "" && third.blob(at: 2) == [])
            #expect(third.withText(at: 3) { Array($0) } == Array("héllo, wörld".utf8))
            #expect(rows[3].integer(at: 1) == Int64.max)
        }
    }

    @Test("Stopping early ends the walk over the rows")
    func stopsEarly() throws {
        let db = try DatabaseQueue()
        try db.write { try $0.execute(sql: Self.rowsSQL) }
        let seen = try db.read { db in
            var seen: [Int64] = []
            try StatementRow.forEach(in: db, sql: "SELECT id FROM t WHERE id >= ? ORDER BY id", arguments: [2]) { row in
                seen.append(row.integer(at: 0) ?? -1)
                return seen.count < 2
            }
            return seen
        }
        #expect(seen == [2, 3])
    }
}
