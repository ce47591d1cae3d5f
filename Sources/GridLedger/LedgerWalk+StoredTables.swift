import Foundation
import GRDB
import GridCore
import GridLedgerModel
import GridMerkle

/// What `LedgerWalk` checks after the entries: the tables derived from them (the recorded head, the stored Merkle tree
/// nodes, the balance and job caches) and the fork evidence a replica kept.
extension LedgerWalk {
    func checkHead(_ replay: LedgerReplay) throws -> LedgerVerification.Failure? {
        guard let head = try LedgerSchema.metaValue("head", in: db) else {
            if replay.count == 0 { return nil }
            return .init(seq: nil, reason: "The ledger has entries but records no head.")
        }
        let parts = head.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let seq = Int64(parts[0]) else {
            return .init(seq: nil, reason: "The recorded head \"\(head.prefix(80))\" is not \"seq:hash\".")
        }
        if seq > replay.count {
            return .init(seq: replay.count + 1, reason: "The ledger recorded \(seq) entries but the last one stored "
                + "is \(replay.count): entries from \(replay.count + 1) on were removed.")
        }
        if seq < replay.count || String(parts[1]) != Hex.encode(replay.prevHash) {
            return .init(seq: nil, reason: "The recorded head (entry \(seq)) does not match the last stored entry "
                + "(\(replay.count)).")
        }
        return nil
    }

    /// Compares the stored tree nodes that the replay rebuilt with the rebuilt ones, in one ordered scan; returns
    /// the failure of the earliest entry (below `before`, when given) whose node is wrong or missing.
    func checkNodes(_ replay: LedgerReplay, before: Int64?) throws -> LedgerVerification.Failure? {
        var first: (seq: Int64, reason: String)?
        func note(level: Int, index: UInt64, _ what: String) {
            let seq = Int64(bitPattern: (index + 1) << UInt64(level))
            if let before, seq >= before { return }
            if first == nil || seq < first!.seq {
                first = (seq, "its Merkle tree node (level \(level), index \(index)) \(what)")
            }
        }
        for level in replay.nodes.indices {
            let offset = replay.nodeOffset(level: level)
            let rebuilt = replay.nodes[level]
            guard !rebuilt.isEmpty else { continue }
            var expected = offset
            var stopped = false
            try StatementRow.forEach(
                in: db,
                sql: "SELECT idx, hash FROM ledger_tree_nodes WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx",
                arguments: [level, Int64(bitPattern: offset), Int64(bitPattern: offset + UInt64(rebuilt.count))]
            ) { row in
                guard let rawIndex = row.integer(at: 0), row.kind(at: 1) == .blob else {
                    note(level: level, index: expected, "cannot be read.")
                    stopped = true
                    return false
                }
                let index = UInt64(bitPattern: rawIndex)
                guard index == expected else {
                    note(level: level, index: expected, "is missing.")
                    stopped = true
                    return false
                }
                let matches = row.withBlob(at: 1) { stored in
                    stored.count == MerkleHash.length && rebuilt[Int(index - offset)].withUnsafeBytes { node in
                        memcmp(node.baseAddress!, stored.baseAddress!, MerkleHash.length) == 0
                    }
                }
                guard matches == true else {
                    note(level: level, index: index, "does not match the entries, so proofs from the stored tree "
                        + "would be false.")
                    stopped = true
                    return false
                }
                expected = index + 1
                return true
            }
            if !stopped, expected < offset + UInt64(rebuilt.count) {
                note(level: level, index: expected, "is missing.")
            }
        }
        return first.map { .init(seq: $0.seq, reason: $0.reason) }
    }

    /// Fork evidence a replica kept: two checkpoints, both validly signed by the operator, that conflict.
    func checkEvidence() throws -> LedgerVerification.Failure? {
        for evidence in try Ledger.forkEvidence(in: db) {
            let signedBoth = [evidence.trusted, evidence.conflicting].allSatisfy {
                if case .valid = CheckpointValidity(text: $0, operator: operatorID) { return true }
                return false
            }
            guard signedBoth else { continue }
            return .init(seq: nil, reason: "Equivocation: the operator signed two checkpoints that cannot both be "
                + "true (\(evidence.reason)). The entries here are those of the first; the two checkpoints are:\n"
                + evidence.trusted + evidence.conflicting)
        }
        return nil
    }

    /// Compares the balance and job caches with the replay: one pass over each table, each row parsed and looked up
    /// in the replay on all cores; only when something differs are both read whole and sorted, to name the first
    /// difference.
    func checkCache(_ replay: LedgerReplay) throws -> LedgerVerification.Failure? {
        let sheet = replay.sheet
        let balancesMatch = try everyRowMatches(
            "SELECT account, balance FROM ledger_balances", count: sheet.balances.count
        ) { row throws(LedgerError) in
            let (account, balance, spelledAsWritten) = try Rows.balance(row)
            return spelledAsWritten && sheet.balances[account] == balance ? account : nil
        }
        guard balancesMatch else { return try firstCacheDifference(replay) }
        let jobsMatch = try everyRowMatches(
            "SELECT \(Rows.jobColumns) FROM ledger_jobs", count: sheet.jobs.count
        ) { row throws(LedgerError) -> String? in
            let (job, settlement) = try Rows.settlement(row)
            // The row's bytes must be the job id's own: Swift's strings compare equal across Unicode normalisations,
            // the store's lookups by text do not.
            guard let index = sheet.jobs.index(forKey: job), sheet.jobs[index].value == settlement,
                  row.withText(at: 0, { $0.elementsEqual(sheet.jobs[index].key.utf8) }) == true else { return nil }
            return job
        }
        guard jobsMatch else { return try firstCacheDifference(replay) }
        return nil
    }

    /// Whether the rows `sql` selects are `count`, each matching the replay: `key` parses a row (on all cores, a batch
    /// at a time) and gives its key when the row matches, nil when not. Rows are counted by the key they parse to: two
    /// rows spelling one account differently (hex in upper and lower case), or a row repeated in a table rebuilt
    /// without its primary key, must not stand in for a row that was removed.
    private func everyRowMatches<Key: Hashable & Sendable>(
        _ sql: String, count: Int, key: @escaping @Sendable (PackedRows.Row) throws(LedgerError) -> Key?
    ) throws -> Bool {
        var keys = Set<Key>(minimumCapacity: count)
        var differs = false
        try PackedRows.forEachBatch(in: db, sql: sql, batchSize: Self.cacheBatchSize) { batch in
            let matched = batch.concurrentMap { row in Result { () throws(LedgerError) in try key(row) } }
            for outcome in matched {
                guard let key = try outcome.get(), keys.insert(key).inserted else {
                    differs = true
                    return false
                }
            }
            return true
        }
        return !differs && keys.count == count
    }

    /// The first account, then the first job, whose cached row differs from the replay (repeated, written otherwise
    /// than the ledger writes it, or with another value, in sorted order); called only when one pass found a
    /// difference, so it never answers that there is none.
    private func firstCacheDifference(_ replay: LedgerReplay) throws -> LedgerVerification.Failure {
        var repeated: LedgerVerification.Failure?
        var misspelled: String?
        var cached: [Account: Int64] = [:]
        try StatementRow.forEach(in: db, sql: "SELECT account, balance FROM ledger_balances") { row in
            let (account, balance, spelledAsWritten) = try Rows.balance(row)
            if cached.updateValue(balance, forKey: account) != nil {
                repeated = .init(seq: nil, reason: "The balance cache holds account \(account) twice.")
            } else if !spelledAsWritten, misspelled == nil {
                misspelled = "The balance cache writes account \(account) as \"\(Self.excerpt(row))\", so the store "
                    + "would not find it."
            }
            return repeated == nil
        }
        if let failure = repeated ?? misspelled.map({ .init(seq: nil, reason: $0) }) { return failure }
        let replayed = replay.sheet.balances
        for account in Set(cached.keys).union(replayed.keys).sorted() where cached[account] != replayed[account] {
            let stored = cached[account].map(String.init) ?? "missing"
            let derived = replayed[account].map(String.init) ?? "no balance"
            return .init(seq: nil, reason: "The cached balance of \(account) is \(stored) but the entries give "
                + "\(derived).")
        }
        var jobs: [String: JobSettlement] = [:]
        let replayedJobs = replay.sheet.jobs
        try StatementRow.forEach(in: db, sql: "SELECT \(Rows.jobColumns) FROM ledger_jobs") { row in
            let (job, settlement) = try Rows.settlement(row)
            if jobs.updateValue(settlement, forKey: job) != nil {
                repeated = .init(seq: nil, reason: "The settlement cache holds job \(job) twice.")
            } else if misspelled == nil, let index = replayedJobs.index(forKey: job),
                      row.withText(at: 0, { $0.elementsEqual(replayedJobs[index].key.utf8) }) != true {
                misspelled = "The settlement cache writes job \(replayedJobs[index].key) as \"\(Self.excerpt(row))\" "
                    + "(other bytes), so the store would not find it."
            }
            return repeated == nil
        }
        if let failure = repeated ?? misspelled.map({ .init(seq: nil, reason: $0) }) { return failure }
        for job in Set(jobs.keys).union(replayedJobs.keys).sorted() where jobs[job] != replayedJobs[job] {
            return .init(seq: nil, reason: "The cached settlement of job \(job) does not match the entries.")
        }
        return .init(seq: nil, reason: "The balance and settlement caches do not match the entries.")
    }

    /// The first column's text, shortened, with what is not printable escaped (for messages).
    private static func excerpt(_ row: StatementRow) -> String {
        String((row.text(at: 0) ?? "").prefix(80)).unicodeScalars.map { $0.escaped(asASCII: true) }.joined()
    }
}
