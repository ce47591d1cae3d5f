import Foundation
import GRDB

/// Rows' values copied off a statement (`StatementRow`) into two buffers per batch: the verifier's reading thread
/// copies a million rows, and a `DatabaseValue` per column costs an allocation to make and one to free (once measured
/// at 45% of a verification's CPU). The rows are then decoded on other threads through `PackedRows.Row`.
struct PackedRows: Sendable {
    typealias Kind = StatementRow.Kind

    /// One value: NULL, an integer, a double's bits, or `count` bytes of text or blob at `value` in `bytes`.
    struct Slot: Sendable {
        var kind: Kind
        var count: Int32
        /// The integer, the double's bit pattern, or where the bytes start.
        var value: Int64
    }

    /// Columns per row.
    let width: Int
    private var bytes: [UInt8] = []
    private var slots: [Slot] = []

    init(width: Int, rows: Int, bytesPerRow: Int) {
        self.width = width
        slots.reserveCapacity(width * rows)
        // The estimate comes from the batch before; one huge value there must not make every later batch reserve much.
        bytes.reserveCapacity(min(bytesPerRow * rows, Self.largestReservation))
    }

    /// The most bytes a batch reserves up front (more grow as needed).
    static let largestReservation = 8 << 20

    /// How many rows were appended.
    var count: Int { width == 0 ? 0 : slots.count / width }

    /// Bytes of text and blobs held.
    var byteCount: Int { bytes.count }

    /// Copies the values of the row a statement stands on; `width` must be the statement's column count.
    mutating func append(_ row: StatementRow) {
        for column in 0..<width {
            let kind = row.kind(at: column)
            switch kind {
            case .null:
                slots.append(Slot(kind: .null, count: 0, value: 0))
            case .integer:
                slots.append(Slot(kind: .integer, count: 0, value: row.integer(at: column) ?? 0))
            case .real:
                slots.append(Slot(kind: .real, count: 0, value: Int64(bitPattern: row.real(at: column).bitPattern)))
            case .text:
                _ = row.withText(at: column) { appendBytes(.text, $0) }
            case .blob:
                _ = row.withBlob(at: column) { appendBytes(.blob, $0) }
            }
        }
    }

    private mutating func appendBytes(_ kind: Kind, _ value: UnsafeBufferPointer<UInt8>) {
        slots.append(Slot(kind: kind, count: Int32(value.count), value: Int64(bytes.count)))
        bytes.append(contentsOf: value)
    }

    subscript(row: Int) -> Row { Row(rows: self, first: row * width) }

    /// One row of a batch, read in place.
    struct Row: ColumnValues {
        let rows: PackedRows
        let first: Int

        var count: Int { rows.width }

        private func slot(_ index: Int) -> Slot { rows.slots[first + index] }

        func value(at index: Int) -> DatabaseValue {
            let slot = slot(index)
            switch slot.kind {
            case .null: return .null
            case .integer: return slot.value.databaseValue
            case .real: return Double(bitPattern: UInt64(bitPattern: slot.value)).databaseValue
            case .text: return withBytes(slot) { String(decoding: $0, as: UTF8.self) }.databaseValue
            case .blob: return withBytes(slot) { Data($0) }.databaseValue
            }
        }

        func isNull(at index: Int) -> Bool { slot(index).kind == .null }

        func integer(at index: Int) -> Int64? {
            let slot = slot(index)
            return slot.kind == .integer ? slot.value : nil
        }

        func text(at index: Int) -> String? {
            let slot = slot(index)
            return slot.kind == .text ? withBytes(slot) { String(decoding: $0, as: UTF8.self) } : nil
        }

        func withText<T>(at index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T? {
            let slot = slot(index)
            return slot.kind == .text ? withBytes(slot, body) : nil
        }

        func blob(at index: Int) -> [UInt8]? {
            let slot = slot(index)
            return slot.kind == .blob ? withBytes(slot) { [UInt8]($0) } : nil
        }

        private func withBytes<T>(_ slot: Slot, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
            rows.bytes.withUnsafeBufferPointer { bytes in
                let start = Int(slot.value)
                return body(UnsafeBufferPointer(rebasing: bytes[start..<start + Int(slot.count)]))
            }
        }
    }
}

extension PackedRows {
    /// `transform` applied to every row, on all cores, in row order.
    func concurrentMap<T: Sendable>(_ transform: @Sendable (Row) -> T) -> [T] {
        let count = count
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard count >= 64, cores > 1 else { return (0..<count).map { transform(self[$0]) } }
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            nonisolated(unsafe) let shared = buffer
            // More chunks than cores, so a chunk of costly rows does not leave the other cores idle.
            let chunks = min(cores * 4, count)
            let chunkSize = (count + chunks - 1) / chunks
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let start = min(chunk * chunkSize, count)
                for index in start..<min(start + chunkSize, count) {
                    (shared.baseAddress! + index).initialize(to: transform(self[index]))
                }
            }
            initialized = count
        }
    }

    /// Reads the rows `sql` selects in batches of up to `batchSize`, calling `body` with each until it returns false.
    static func forEachBatch(
        in db: Database, sql: String, batchSize: Int, _ body: (PackedRows) throws -> Bool
    ) throws {
        let statement = try db.makeStatement(sql: sql)
        let rows = try GRDB.Row.fetchCursor(statement)
        let row = StatementRow(statement: statement)
        var bytesPerRow = 64
        var exhausted = false
        while !exhausted {
            var batch = PackedRows(width: statement.columnCount, rows: batchSize, bytesPerRow: bytesPerRow)
            while batch.count < batchSize {
                guard try rows.next() != nil else {
                    exhausted = true
                    break
                }
                batch.append(row)
            }
            bytesPerRow = batch.byteCount / max(1, batch.count) + 16
            guard batch.count > 0, try body(batch) else { return }
        }
    }
}
