import GRDB
import GridCore
import GridCrypto
import GridMerkle

/// Re-checks a whole ledger from its rows: signatures, links, seq order, authorship, credit rules and the cache.
public enum LedgerVerifier {
    /// Verifies the ledger in `db` as operated by `operatorID`, naming the first bad entry if anything was edited,
    /// deleted or reordered.
    ///
    /// Entries are read in seq order; each must have the next seq, decode, carry its author's valid signature,
    /// link to the previous entry's hash, have the stored hash its content gives, and pass the credit rules
    /// replayed from the start. Then the recorded head and the balance and job caches must equal the replay.
    /// The Merkle tree is rebuilt from the entries alongside: every stored tree node must match it, and every signed
    /// checkpoint must carry the operator's valid signature and the root of the tree at its size.
    public static func verify(in db: Database, operator operatorID: PeerID) -> LedgerVerification {
        var progress = Progress(store: LedgerTreeStore(db: db))
        do {
            guard try LedgerSchema.isInstalled(in: db) else {
                return progress.fail(nil, "The database has no ledger tables.")
            }
            if let stored = try LedgerSchema.operatorID(in: db), stored != operatorID {
                return progress.fail(nil, "The ledger records peer \(stored.short) as its operator, not peer "
                    + "\(operatorID.short).")
            }
            let checkpoints: [(size: Int64, text: String)]
            if try db.tableExists("ledger_checkpoints") {
                // Decoded with throwing accessors: a tampered row must be reported, not crash the verifier.
                checkpoints = try Row.fetchAll(db, sql: "SELECT size, text FROM ledger_checkpoints ORDER BY size")
                    .map { (try $0.decode(Int64.self, atIndex: 0), try $0.decode(String.self, atIndex: 1)) }
            } else {
                checkpoints = []
            }
            var pending = checkpoints[...]
            if let failure = progress.checkCheckpoints(&pending, operator: operatorID) { return failure }
            let rows = try Row.fetchCursor(db, sql: "SELECT \(Rows.columns) FROM ledger_entries ORDER BY seq")
            while let row = try rows.next() {
                if let failure = progress.check(row, operator: operatorID) {
                    return failure
                }
                if let failure = progress.checkCheckpoints(&pending, operator: operatorID) { return failure }
            }
            if let (size, _) = pending.first {
                return progress.fail(nil, "A checkpoint claims \(size) entries but the ledger holds \(progress.count): "
                    + "entries were removed after it was signed.")
            }
            if progress.count > 0, try LedgerSchema.operatorID(in: db) == nil {
                return progress.fail(nil, "The ledger has entries but records no operator.")
            }
            if let failure = try checkHead(in: db, progress: &progress) {
                return failure
            }
            let storedNodes = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger_tree_nodes") ?? 0
            if storedNodes != progress.treeNodes {
                return progress.fail(nil, "The Merkle tree holds \(storedNodes) nodes but the entries make "
                    + "\(progress.treeNodes).")
            }
            if let failure = try checkCache(in: db, progress: &progress) {
                return failure
            }
            return progress.result(nil)
        } catch {
            return progress.fail(nil, "The ledger could not be read: \(error)")
        }
    }

    private static func checkHead(in db: Database, progress: inout Progress) throws -> LedgerVerification? {
        guard let head = try LedgerSchema.metaValue("head", in: db) else {
            if progress.count == 0 { return nil }
            return progress.fail(nil, "The ledger has entries but records no head.")
        }
        let parts = head.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let seq = Int64(parts[0]) else {
            return progress.fail(nil, "The recorded head \"\(head.prefix(80))\" is not \"seq:hash\".")
        }
        if seq > progress.count {
            return progress.fail(progress.count + 1, "The ledger recorded \(seq) entries but the last one stored "
                + "is \(progress.count): entries from \(progress.count + 1) on were removed.")
        }
        if seq < progress.count || String(parts[1]) != Hex.encode(progress.prevHash) {
            return progress.fail(nil, "The recorded head (entry \(seq)) does not match the last stored entry "
                + "(\(progress.count)).")
        }
        return nil
    }

    private static func checkCache(in db: Database, progress: inout Progress) throws -> LedgerVerification? {
        var cached: [Account: Int64] = [:]
        let balanceRows = try Row.fetchCursor(db, sql: "SELECT account, balance FROM ledger_balances")
        while let row = try balanceRows.next() {
            let (account, balance) = try Rows.balance(row)
            cached[account] = balance
        }
        let replayed = progress.sheet.balances
        for account in Set(cached.keys).union(replayed.keys).sorted() where cached[account] != replayed[account] {
            let stored = cached[account].map(String.init) ?? "missing"
            let derived = replayed[account].map(String.init) ?? "no balance"
            return progress.fail(nil, "The cached balance of \(account) is \(stored) but the entries give "
                + "\(derived).")
        }
        var jobs: [String: JobSettlement] = [:]
        let jobRows = try Row.fetchCursor(db, sql: "SELECT \(Rows.jobColumns) FROM ledger_jobs")
        while let row = try jobRows.next() {
            let (job, settlement) = try Rows.settlement(row)
            jobs[job] = settlement
        }
        for job in Set(jobs.keys).union(progress.sheet.jobs.keys).sorted()
        where jobs[job] != progress.sheet.jobs[job] {
            return progress.fail(nil, "The cached settlement of job \(job) does not match the entries.")
        }
        return nil
    }
}

/// The verifier's state while walking the entries.
private struct Progress {
    var count: Int64 = 0
    var prevHash = LedgerEntry.genesisHash
    var sheet = BalanceSheet()
    /// The tree rebuilt from the entries, and the stored nodes it is compared with.
    let store: LedgerTreeStore
    var tree = CompactMerkleTree()
    var treeNodes = 0
    private var completed: [MerkleNode] = []
    private var lastCheckpointTime: UInt64 = 0

    init(store: LedgerTreeStore) {
        self.store = store
    }

    /// Checks the checkpoints whose size is the number of entries checked so far.
    mutating func checkCheckpoints(
        _ pending: inout ArraySlice<(size: Int64, text: String)>, operator operatorID: PeerID
    ) -> LedgerVerification? {
        while let (size, text) = pending.first, size <= count {
            pending = pending.dropFirst()
            let signed: SignedCheckpoint
            do {
                signed = try SignedCheckpoint(parsing: text)
                try signed.verify(publicKey: operatorID.publicKey)
            } catch {
                return fail(nil, "The checkpoint of \(size) entries is not valid: \(error)")
            }
            let checkpoint = signed.checkpoint
            guard checkpoint.size == UInt64(size) else {
                return fail(nil, "The checkpoint stored under \(size) entries is for \(checkpoint.size).")
            }
            guard checkpoint.origin == Ledger.origin(of: operatorID) else {
                return fail(nil, "The checkpoint of \(size) entries names another log: \(checkpoint.origin).")
            }
            guard checkpoint.root == tree.root else {
                return fail(nil, "The checkpoint of \(size) entries has root \(checkpoint.root.hex.prefix(16))… but the "
                    + "entries give \(tree.root.hex.prefix(16))…: entries up to \(size) were changed after it was signed.")
            }
            guard checkpoint.timestamp >= lastCheckpointTime else {
                return fail(nil, "The checkpoint of \(size) entries is older than the one before it.")
            }
            lastCheckpointTime = checkpoint.timestamp
        }
        return nil
    }

    /// Adds the entry's leaf to the rebuilt tree and compares the nodes it completes with the stored ones.
    private mutating func growTree(_ leaf: [UInt8], seq: Int64) -> LedgerVerification? {
        completed.removeAll(keepingCapacity: true)
        do {
            try tree.append(leafHash: TreeHasher.leafHash(leaf), completed: &completed)
            for node in completed {
                guard let stored = try store.node(level: node.level, index: node.index) else {
                    return fail(seq, "its Merkle tree node (level \(node.level), index \(node.index)) is missing.")
                }
                guard stored == node.hash else {
                    return fail(seq, "its Merkle tree node (level \(node.level), index \(node.index)) does not match "
                        + "the entries, so proofs from the stored tree would be false.")
                }
            }
        } catch {
            return fail(seq, "its Merkle tree nodes cannot be read: \(error)")
        }
        treeNodes += completed.count
        return nil
    }

    /// Checks the next row, returning the failed verification if it is bad.
    mutating func check(_ row: Row, operator operatorID: PeerID) -> LedgerVerification? {
        let expected = count + 1
        let entry: LedgerEntry
        do {
            entry = try Rows.entry(row)
        } catch {
            if case .int64(let seq) = (row[0] as DatabaseValue).storage, seq != expected {
                return fail(expected, missing(expected, next: seq))
            }
            return fail(expected, "\(error)")
        }
        guard entry.seq == expected else {
            return fail(expected, missing(expected, next: entry.seq))
        }
        let canonicalBody = entry.body.canonicalBytes
        guard SignatureVerifier.isValid(
            signature: entry.signed.signature, of: canonicalBody, publicKey: entry.body.author.publicKey)
        else {
            return fail(expected, "its signature is not a valid signature by its author, peer "
                + "\(entry.body.author.short), so its content or signature was altered.")
        }
        guard entry.prevHash == prevHash else {
            let previous = expected == 1 ? "32 zero bytes" : "the hash of entry \(expected - 1)"
            return fail(expected, "its previous hash is not \(previous), so entries were edited, removed or "
                + "reordered.")
        }
        let leaf = LedgerEntry.leafBytes(
            prevHash: entry.prevHash, seq: entry.seq, canonicalBody: canonicalBody, signature: entry.signed.signature)
        let hash = Digest.sha256(leaf)
        guard entry.hash == hash else {
            return fail(expected, "its stored hash is not the hash of its content.")
        }
        do {
            try sheet.apply(entry.body, operator: operatorID)
        } catch {
            return fail(expected, "it breaks a ledger rule. \(error)")
        }
        if let failure = growTree(leaf, seq: expected) { return failure }
        count = expected
        prevHash = hash
        return nil
    }

    private func missing(_ expected: Int64, next seq: Int64) -> String {
        seq > expected
            ? "it is missing; the next stored entry is \(seq)."
            : "the entries are out of order (entry \(seq) follows entry \(expected - 1))."
    }

    func fail(_ seq: Int64?, _ reason: String) -> LedgerVerification {
        result(LedgerVerification.Failure(seq: seq, reason: reason))
    }

    func result(_ failure: LedgerVerification.Failure?) -> LedgerVerification {
        LedgerVerification(
            verifiedCount: count, headHash: count > 0 ? prevHash : nil, sheet: sheet, failure: failure)
    }
}
