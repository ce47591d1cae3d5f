import Foundation
import GRDB
import GridCore
import GridCrypto

/// Reading and writing ledger rows, refusing (never crashing on) values an edited file may hold.
enum Rows {
    /// The columns of `ledger.v1`, before results existed (what the tree migration reads).
    static let columnsV1 =
        "seq, kind, from_account, to_account, amount, job, author, timestamp, memo, signature, prev_hash, hash"
    /// All columns, in the order `insert` writes and `entry` reads them.
    static let columns = columnsV1 + ", result, signature_proof"

    static func insert(_ entry: LedgerEntry, in db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO ledger_entries (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let body = entry.body
        try statement.execute(arguments: [
            entry.seq, body.kind.rawValue, body.from.description, body.to.description, body.amount, body.job,
            body.author.hex, body.timestamp, body.memo, Data(entry.signed.signature), Data(entry.prevHash),
            Data(entry.hash), body.result.map { Data($0.encoded) }, entry.signed.batchProof.map { Data($0.serialized) },
        ])
    }

    /// Decodes a row selected with `columns` (or `columnsV1`, in the migrations that run before the later columns
    /// exist).
    static func entry(_ row: some ColumnValues) throws(LedgerError) -> LedgerEntry {
        let seq = try int64(row, 0, "seq", seq: 0)
        let kindText = try text(row, 1, "kind", seq: seq)
        guard let kind = EntryKind(rawValue: kindText) else {
            throw .corruptRow(seq: seq, reason: "the kind \"\(kindText.prefix(40))\" is not known")
        }
        let from = try account(row, 2, "from_account", seq: seq)
        let to = try account(row, 3, "to_account", seq: seq)
        let amount = try int64(row, 4, "amount", seq: seq)
        let job = try optionalText(row, 5, "job", seq: seq)
        let authorText = try text(row, 6, "author", seq: seq)
        guard let author = PeerID(hex: authorText) else {
            throw .corruptRow(seq: seq, reason: "the author is not 64 hex digits")
        }
        let timestamp = try int64(row, 7, "timestamp", seq: seq)
        let memo = try optionalText(row, 8, "memo", seq: seq)
        let signature = try blob(row, 9, "signature", seq: seq, length: SigningKeyPair.signatureLength)
        let prevHash = try blob(row, 10, "prev_hash", seq: seq, length: 32)
        let hash = try blob(row, 11, "hash", seq: seq, length: 32)
        let result: ResultRecord?
        switch (row.count > 12 ? row.value(at: 12) : .null).storage {
        case .null:
            result = nil
        case .blob(let data):
            do {
                result = try ResultRecord(encoded: [UInt8](data))
            } catch {
                throw .corruptRow(seq: seq, reason: "the result is malformed: \(error)")
            }
        default:
            throw .corruptRow(seq: seq, reason: "the result is neither a blob nor NULL")
        }
        let body: EntryBody
        do {
            body = try EntryBody(
                kind: kind, from: from, to: to, amount: amount, job: job, author: author, timestamp: timestamp,
                memo: memo, result: result)
        } catch {
            throw .corruptRow(seq: seq, reason: "\(error)")
        }
        let signed: SignedEntry
        switch (row.count > 13 ? row.value(at: 13) : .null).storage {
        case .null:
            signed = SignedEntry(body: body, signature: signature)
        case .blob(let proof):
            do {
                signed = try SignedEntry(body: body, signatureField: signature + [UInt8](proof))
            } catch {
                throw .corruptRow(seq: seq, reason: "\(error)")
            }
        default:
            throw .corruptRow(seq: seq, reason: "the signature proof is neither a blob nor NULL")
        }
        return LedgerEntry(seq: seq, signed: signed, prevHash: prevHash, hash: hash)
    }

    static func balance(_ row: Row) throws(LedgerError) -> (Account, Int64) {
        let value = row[0] as DatabaseValue
        guard case .string(let text) = value.storage else {
            throw .corruptMeta("a ledger_balances account is not text")
        }
        let account = try Account(parsing: text)
        guard case .int64(let balance) = (row[1] as DatabaseValue).storage else {
            throw .corruptMeta("the cached balance of \(text) is not an integer")
        }
        return (account, balance)
    }

    static func loadBalance(_ account: Account, in db: Database) throws -> Int64? {
        let statement = try db.cachedStatement(sql: "SELECT balance FROM ledger_balances WHERE account = ?")
        guard let value = try DatabaseValue.fetchOne(statement, arguments: [account.description]) else {
            return nil
        }
        guard case .int64(let balance) = value.storage else {
            throw LedgerError.corruptMeta("the cached balance of \(account) is not an integer")
        }
        return balance
    }

    static func saveBalance(_ account: Account, _ balance: Int64, in db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO ledger_balances (account, balance) VALUES (?, ?)
            ON CONFLICT (account) DO UPDATE SET balance = excluded.balance
            """)
        try statement.execute(arguments: [account.description, balance])
    }

    static func loadJob(_ job: String, in db: Database) throws -> JobSettlement? {
        let statement = try db.cachedStatement(
            sql: "SELECT \(jobColumns) FROM ledger_jobs WHERE job = ?")
        guard let row = try Row.fetchOne(statement, arguments: [job]) else { return nil }
        return try settlement(row).settlement
    }

    static let jobColumns = "job, submitter, escrowed, paid, refunded, payees"

    /// Decodes a `ledger_jobs` row selected with `jobColumns`.
    static func settlement(_ row: Row) throws(LedgerError) -> (job: String, settlement: JobSettlement) {
        guard case .string(let job) = (row[0] as DatabaseValue).storage else {
            throw .corruptMeta("a ledger_jobs job id is not text")
        }
        func integer(_ index: Int, _ name: String) throws(LedgerError) -> Int64? {
            switch row.value(at: index).storage {
            case .null: return nil
            case .int64(let value): return value
            default: throw .corruptMeta("the cached \(name) of job \(job) is not an integer")
            }
        }
        guard case .string(let submitterText) = (row[1] as DatabaseValue).storage,
              let submitter = PeerID(hex: submitterText)
        else {
            throw .corruptMeta("the cached submitter of job \(job) is not 64 hex digits")
        }
        guard let escrowed = try integer(2, "escrow") else {
            throw .corruptMeta("the cached escrow of job \(job) is missing")
        }
        var payees: [PeerID] = []
        switch (row[5] as DatabaseValue).storage {
        case .null:
            break
        case .string(let text):
            for hex in text.split(separator: ",") {
                guard let peer = PeerID(hex: String(hex)) else {
                    throw .corruptMeta("a cached payee of job \(job) is not 64 hex digits")
                }
                payees.append(peer)
            }
        default:
            throw .corruptMeta("the cached payees of job \(job) are not text")
        }
        let settlement = JobSettlement(
            submitter: submitter, escrowed: escrowed, paid: try integer(3, "payment"),
            refunded: try integer(4, "refund"), payees: payees)
        return (job, settlement)
    }

    static func saveJob(_ job: String, _ settlement: JobSettlement, in db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO ledger_jobs (\(jobColumns)) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (job) DO UPDATE SET paid = excluded.paid, refunded = excluded.refunded, payees = excluded.payees
            """)
        let payees = settlement.payees.isEmpty ? nil : settlement.payees.map(\.hex).joined(separator: ",")
        try statement.execute(arguments: [
            job, settlement.submitter.hex, settlement.escrowed, settlement.paid, settlement.refunded, payees,
        ])
    }

    static func int64(_ row: some ColumnValues, _ index: Int, _ name: String, seq: Int64) throws(LedgerError) -> Int64 {
        guard case .int64(let value) = row.value(at: index).storage else {
            throw .corruptRow(seq: seq, reason: "the \(name) is not an integer")
        }
        return value
    }

    static func text(_ row: some ColumnValues, _ index: Int, _ name: String, seq: Int64) throws(LedgerError) -> String {
        guard case .string(let value) = row.value(at: index).storage else {
            throw .corruptRow(seq: seq, reason: "the \(name) is not text")
        }
        return value
    }

    static func optionalText(
        _ row: some ColumnValues, _ index: Int, _ name: String, seq: Int64
    ) throws(LedgerError) -> String? {
        switch row.value(at: index).storage {
        case .null: return nil
        case .string(let value): return value
        default: throw .corruptRow(seq: seq, reason: "the \(name) is neither text nor NULL")
        }
    }

    static func blob(
        _ row: some ColumnValues, _ index: Int, _ name: String, seq: Int64, length: Int
    ) throws(LedgerError) -> [UInt8] {
        guard case .blob(let data) = row.value(at: index).storage, data.count == length else {
            throw .corruptRow(seq: seq, reason: "the \(name) is not a \(length)-byte blob")
        }
        return [UInt8](data)
    }

    static func account(
        _ row: some ColumnValues, _ index: Int, _ name: String, seq: Int64
    ) throws(LedgerError) -> Account {
        let value = try text(row, index, name, seq: seq)
        do {
            return try Account(parsing: value)
        } catch {
            throw .corruptRow(seq: seq, reason: "the \(name) is invalid: \(error)")
        }
    }
}

/// What `Rows.entry` decodes: a GRDB row, or its values copied off a cursor without the column names a copied `Row`
/// carries (the verifier copies a million of them).
protocol ColumnValues {
    var count: Int { get }
    func value(at index: Int) -> DatabaseValue
}

extension Row: ColumnValues {
    func value(at index: Int) -> DatabaseValue { self[index] }
}

extension Array: ColumnValues where Element == DatabaseValue {
    func value(at index: Int) -> DatabaseValue { self[index] }
}
