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
        let author = try peer(row, 6, "author", seq: seq)
        let timestamp = try int64(row, 7, "timestamp", seq: seq)
        let memo = try optionalText(row, 8, "memo", seq: seq)
        let signature = try blob(row, 9, "signature", seq: seq, length: SigningKeyPair.signatureLength)
        let prevHash = try blob(row, 10, "prev_hash", seq: seq, length: 32)
        let hash = try blob(row, 11, "hash", seq: seq, length: 32)
        var result: ResultRecord?
        if let encoded = try optionalBlob(row, 12, "result", seq: seq) {
            do {
                result = try ResultRecord(encoded: encoded)
            } catch {
                throw .corruptRow(seq: seq, reason: "the result is malformed: \(error)")
            }
        }
        let body: EntryBody
        do {
            body = try EntryBody(
                kind: kind, from: from, to: to, amount: amount, job: job, author: author, timestamp: timestamp,
                memo: memo, result: result)
        } catch {
            throw .corruptRow(seq: seq, reason: "\(error)")
        }
        let proof = try optionalBlob(row, 13, "signature proof", seq: seq)
        // The proof parser refuses an empty one as too short; named here in the row's own terms.
        if proof?.isEmpty == true { throw .corruptRow(seq: seq, reason: "the signature proof is an empty blob") }
        let signed: SignedEntry
        do {
            signed = try SignedEntry(body: body, signature: signature, batchProofBytes: proof)
        } catch {
            throw .corruptRow(seq: seq, reason: "\(error)")
        }
        return LedgerEntry(seq: seq, signed: signed, prevHash: prevHash, hash: hash)
    }

    /// A `ledger_balances` row, and whether its account is written exactly as the ledger writes it (the store looks
    /// balances up by that text).
    static func balance(_ row: some ColumnValues) throws(LedgerError) -> (Account, Int64, spelledAsWritten: Bool) {
        let parsed = row.withText(at: 0) { text in
            Result { () throws(LedgerError) in
                let account = try Account(parsingUTF8: text)
                return (account, account.isDescription(text))
            }
        }
        guard let parsed else { throw .corruptMeta("a ledger_balances account is not text") }
        let (account, spelledAsWritten) = try parsed.get()
        guard let balance = row.integer(at: 1) else {
            throw .corruptMeta("the cached balance of \(account) is not an integer")
        }
        return (account, balance, spelledAsWritten)
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
    static func settlement(_ row: some ColumnValues) throws(LedgerError) -> (job: String, settlement: JobSettlement) {
        guard let job = row.text(at: 0) else {
            throw .corruptMeta("a ledger_jobs job id is not text")
        }
        func integer(_ index: Int, _ name: String) throws(LedgerError) -> Int64? {
            if row.isNull(at: index) { return nil }
            guard let value = row.integer(at: index) else {
                throw .corruptMeta("the cached \(name) of job \(job) is not an integer")
            }
            return value
        }
        guard let submitter = row.withText(at: 1, { Self.peer(writtenAs: $0) }) ?? nil else {
            throw .corruptMeta("the cached submitter of job \(job) is not 64 lower-case hex digits")
        }
        guard let escrowed = try integer(2, "escrow") else {
            throw .corruptMeta("the cached escrow of job \(job) is missing")
        }
        var payees: [PeerID] = []
        if !row.isNull(at: 5) {
            // Payees are 64 lower-case hex digits each, separated by single commas.
            let parsed = row.withText(at: 5) { text -> Bool in
                for hex in text.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                    guard let peer = Self.peer(writtenAs: UnsafeBufferPointer(rebasing: hex)) else { return false }
                    payees.append(peer)
                }
                return true
            }
            switch parsed {
            case nil: throw .corruptMeta("the cached payees of job \(job) are not text")
            case false?: throw .corruptMeta("a cached payee of job \(job) is not 64 lower-case hex digits")
            case true?: break
            }
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
        guard let value = row.integer(at: index) else {
            throw .corruptRow(seq: seq, reason: "the \(name) is not an integer")
        }
        return value
    }

    static func text(_ row: some ColumnValues, _ index: Int, _ name: String, seq: Int64) throws(LedgerError) -> String {
        guard let value = row.text(at: index) else {
            throw .corruptRow(seq: seq, reason: "the \(name) is not text")
        }
        return value
    }

    static func optionalText(
        _ row: some ColumnValues, _ index: Int, _ name: String, seq: Int64
    ) throws(LedgerError) -> String? {
        if row.isNull(at: index) { return nil }
        guard let value = row.text(at: index) else {
            throw .corruptRow(seq: seq, reason: "the \(name) is neither text nor NULL")
        }
        return value
    }

    /// The blob at `index`, or nil when it is NULL (or beyond the row, for rows read before the column existed).
    static func optionalBlob(
        _ row: some ColumnValues, _ index: Int, _ name: String, seq: Int64
    ) throws(LedgerError) -> [UInt8]? {
        if index >= row.count || row.isNull(at: index) { return nil }
        guard let value = row.blob(at: index) else {
            throw .corruptRow(seq: seq, reason: "the \(name) is neither a blob nor NULL")
        }
        return value
    }

    static func blob(
        _ row: some ColumnValues, _ index: Int, _ name: String, seq: Int64, length: Int
    ) throws(LedgerError) -> [UInt8] {
        guard let value = row.blob(at: index), value.count == length else {
            throw .corruptRow(seq: seq, reason: "the \(name) is not a \(length)-byte blob")
        }
        return value
    }

    /// An entry's account, which must be written exactly as the ledger writes it (`Account.description`): the store
    /// looks accounts up by their text, so an entry spelled otherwise (hex in upper case) would not be the account the
    /// caches and queries find.
    static func account(
        _ row: some ColumnValues, _ index: Int, _ name: String, seq: Int64
    ) throws(LedgerError) -> Account {
        let parsed = row.withText(at: index) { text in
            Result { () throws(LedgerError) in
                let account = try Account(parsingUTF8: text)
                guard account.isDescription(text) else {
                    throw .invalidAccount(String(decoding: text.prefix(80), as: UTF8.self),
                                          reason: "it is not written as \"\(account)\"")
                }
                return account
            }
        }
        switch parsed {
        case nil: throw .corruptRow(seq: seq, reason: "the \(name) is not text")
        case .success(let account): return account
        case .failure(let error): throw .corruptRow(seq: seq, reason: "the \(name) is invalid: \(error)")
        }
    }

    /// The peer whose id `text` is, written as the ledger writes ids (64 hex digits in lower case); nil otherwise.
    static func peer(writtenAs text: UnsafeBufferPointer<UInt8>) -> PeerID? {
        PeerID(hexUTF8: text).flatMap { Hex.isEncoding(of: $0.publicKey, text) ? $0 : nil }
    }

    /// An entry's author: 64 hex digits in lower case, as the ledger writes them.
    static func peer(_ row: some ColumnValues, _ index: Int, _ name: String, seq: Int64) throws(LedgerError) -> PeerID {
        let parsed = row.withText(at: index) { Self.peer(writtenAs: $0) }
        switch parsed {
        case nil: throw .corruptRow(seq: seq, reason: "the \(name) is not text")
        case .some(nil): throw .corruptRow(seq: seq, reason: "the \(name) is not 64 lower-case hex digits")
        case .some(.some(let peer)): return peer
        }
    }
}

/// What `Rows.entry` decodes: a GRDB row, or a row of values the verifier packed off a cursor (`PackedRows`), which
/// answers the typed accessors without making a `DatabaseValue`.
protocol ColumnValues {
    var count: Int { get }
    func value(at index: Int) -> DatabaseValue
    func isNull(at index: Int) -> Bool
    /// The integer at `index`; nil when the value is not an integer.
    func integer(at index: Int) -> Int64?
    /// The text at `index`; nil when the value is not text.
    func text(at index: Int) -> String?
    /// `body` applied to the UTF-8 bytes of the text at `index`; nil when the value is not text.
    func withText<T>(at index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T?
    /// The blob at `index`; nil when the value is not a blob.
    func blob(at index: Int) -> [UInt8]?
}

extension ColumnValues {
    func isNull(at index: Int) -> Bool { value(at: index).isNull }

    func integer(at index: Int) -> Int64? {
        if case .int64(let value) = value(at: index).storage { return value }
        return nil
    }

    func text(at index: Int) -> String? {
        if case .string(let value) = value(at: index).storage { return value }
        return nil
    }

    func withText<T>(at index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T? {
        guard var text = text(at: index) else { return nil }
        return text.withUTF8(body)
    }

    func blob(at index: Int) -> [UInt8]? {
        if case .blob(let data) = value(at: index).storage { return [UInt8](data) }
        return nil
    }
}

extension Row: ColumnValues {
    func value(at index: Int) -> DatabaseValue { self[index] }
}
