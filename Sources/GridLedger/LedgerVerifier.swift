import Dispatch
import Foundation
import GRDB
import GridCore
import GridCrypto
import GridMerkle

/// Re-checks a ledger from its rows: signatures, links, seq order, authorship, credit rules, the Merkle tree, the
/// signed checkpoints and the balance cache.
public enum LedgerVerifier {
    /// Verifies the ledger in `db` as operated by `operatorID`, naming the first bad entry if anything was edited,
    /// deleted or reordered.
    ///
    /// Entries are read in seq order; each must have the next seq, decode, carry a valid signature, link to the
    /// previous entry's hash, have the stored hash its content gives, and pass the credit rules replayed from the
    /// start. The Merkle tree is rebuilt from the entries: every signed checkpoint must carry the operator's valid
    /// signature and the root of the tree at its size, and every stored tree node must equal the rebuilt one. Then
    /// the recorded head and the balance and job caches must equal the replay.
    ///
    /// Which signatures are checked one by one is what `scope` says (docs/ledger.md, "Verification"): an entry the
    /// operator authored is covered by a valid operator checkpoint at or above its seq, since that signature vouches
    /// for the exact leaf bytes once the rebuilt root matches; every other signature is checked, on all cores. When
    /// anything fails, the ledger is walked again checking every signature (`scope` aside), so the first bad entry is
    /// named exactly.
    public static func verify(
        in db: Database, operator operatorID: PeerID, scope: VerificationScope = .full
    ) -> LedgerVerification {
        let fast = LedgerWalk(db: db, operatorID: operatorID, scope: scope, coverSignatures: true).run()
        guard !fast.verification.isValid, fast.coveredSignatures > 0 else { return fast.verification }
        return LedgerWalk(db: db, operatorID: operatorID, scope: .full, coverSignatures: false).run().verification
    }
}

/// One pass of `LedgerVerifier.verify` over the rows of one read transaction.
struct LedgerWalk {
    let db: Database
    let operatorID: PeerID
    let scope: VerificationScope
    /// Whether operator-signed entries under a valid checkpoint skip their own signature check.
    let coverSignatures: Bool
    /// Rows decoded and prepared together: enough to keep both cores busy, little memory.
    static let batchSize = 4096
    /// Rows of the balance and job caches read and then compared on all cores together.
    static let cacheBatchSize = 16384
    /// Batch signatures already checked in this walk, shared by the threads that prepare entries.
    let signatures = SignatureCache()

    struct Outcome {
        var verification: LedgerVerification
        /// How many signatures were taken as covered instead of checked.
        var coveredSignatures: Int
    }

    func run() -> Outcome {
        var replay = LedgerReplay(operator: operatorID)
        var covered = 0
        func fail(_ seq: Int64?, _ reason: String) -> Outcome {
            Outcome(verification: result(replay, .init(seq: seq, reason: reason)), coveredSignatures: covered)
        }
        do {
            guard try LedgerSchema.isInstalled(in: db) else { return fail(nil, "The database has no ledger tables.") }
            if let stored = try LedgerSchema.operatorID(in: db), stored != operatorID {
                return fail(nil, "The ledger records peer \(stored.short) as its operator, not peer "
                    + "\(operatorID.short).")
            }
            let lastSeq = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM ledger_entries") ?? 0
            let checkpoints = try loadCheckpoints()
            // Entries up to `trusted` were verified before (scope), when the checkpoint at that size is valid.
            var trusted: Int64 = 0
            if case .since(let size) = scope, size > 0, size <= lastSeq,
               let anchor = checkpoints.first(where: { $0.size == size }), case .valid = anchor.validity {
                trusted = size
            }
            replay = LedgerReplay(operator: operatorID, keepingNodesAfter: trusted)
            var coverage: Int64 = 0
            if coverSignatures {
                coverage = checkpoints.last(where: {
                    if case .valid = $0.validity { return $0.size <= lastSeq } else { return false }
                })?.size ?? 0
            }
            var pending = checkpoints[...]
            if let failure = checkCheckpoints(&pending, replay: &replay) {
                return Outcome(verification: result(replay, failure), coveredSignatures: covered)
            }
            // A pipeline of three stages, each on a thread of its own, so none waits for the others: this thread only
            // copies rows' values off the cursor into one buffer per batch (`PackedRows`; SQLite reads one row at a
            // time); a batch is then decoded, hashed and signature-checked on all cores (`preparing`), and walked in
            // order (`walking`). Besides the batch being read, at most two are between the cursor and the end of the
            // walk.
            let walker = Walker(replay: replay, pending: pending, walk: self)
            let preparing = DispatchQueue(label: "grid.ledger.verify.prepare")
            let walking = DispatchQueue(label: "grid.ledger.verify.walk")
            let inFlight = DispatchSemaphore(value: 2)
            do {
                // Also when reading a row fails: no stage outlives this function.
                defer {
                    preparing.sync {}
                    walking.sync {}
                }
                try PackedRows.forEachBatch(
                    in: db, sql: "SELECT \(Rows.columns) FROM ledger_entries ORDER BY seq", batchSize: Self.batchSize
                ) { batch in
                    inFlight.wait()
                    preparing.async { [trusted, coverage, operatorID, signatures] in
                        let prepared = Self.prepare(batch, trusted: trusted, coverage: coverage, operator: operatorID,
                                                    signatures: signatures)
                        walking.async {
                            walker.walk(prepared)
                            inFlight.signal()
                        }
                    }
                    return !walker.stopped
                }
            }
            replay = walker.replay
            pending = walker.pending
            covered = walker.covered
            if let failure = walker.failure {
                return earliest(replay, failure, covered: covered)
            }
            if let first = pending.first {
                return fail(replay.count + 1, "a checkpoint claims \(first.size) entries but the ledger holds "
                    + "\(replay.count): entries from \(replay.count + 1) on were removed after it was signed.")
            }
            if replay.count > 0, try LedgerSchema.operatorID(in: db) == nil {
                return fail(nil, "The ledger has entries but records no operator.")
            }
            if let failure = try checkHead(replay) {
                return Outcome(verification: result(replay, failure), coveredSignatures: covered)
            }
            if let failure = try checkNodes(replay, before: nil) {
                return Outcome(verification: result(replay, failure), coveredSignatures: covered)
            }
            let size = UInt64(replay.count)
            let expectedNodes = Int(2 * size) - size.nonzeroBitCount
            let storedNodes = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger_tree_nodes") ?? 0
            if storedNodes != expectedNodes {
                return fail(nil, "The Merkle tree holds \(storedNodes) nodes but the entries make \(expectedNodes).")
            }
            if let failure = try checkCache(replay) {
                return Outcome(verification: result(replay, failure), coveredSignatures: covered)
            }
            if let failure = try checkEvidence() {
                return Outcome(verification: result(replay, failure), coveredSignatures: covered)
            }
            return Outcome(verification: result(replay, nil, covered: covered), coveredSignatures: covered)
        } catch {
            return fail(nil, "The ledger could not be read: \(error)")
        }
    }

    /// The walk's sequential part, on its own serial queue: each batch's entries in order, then the checkpoints
    /// they complete. Only that queue touches it until `stopped`/the final `sync`.
    private final class Walker: @unchecked Sendable {
        var replay: LedgerReplay
        var pending: ArraySlice<StoredCheckpoint>
        var covered = 0
        private(set) var failure: LedgerVerification.Failure?
        private let walk: LedgerWalk
        private let lock = NSLock()
        private var halted = false

        init(replay: LedgerReplay, pending: ArraySlice<StoredCheckpoint>, walk: LedgerWalk) {
            self.replay = replay
            self.pending = pending
            self.walk = walk
        }

        /// True once a bad entry was found: the reader stops reading.
        var stopped: Bool { lock.withLock { halted } }

        func walk(_ prepared: [Result<PreparedEntry, RowProblem>]) {
            guard failure == nil else { return }
            for outcome in prepared {
                let item: PreparedEntry
                switch outcome {
                case .success(let ready): item = ready
                case .failure(let problem):
                    let expected = replay.count + 1
                    if let seq = problem.seq, seq != expected {
                        stop(.init(seq: expected, reason: LedgerReplay.missing(expected, next: seq)))
                    } else {
                        stop(.init(seq: expected, reason: problem.reason))
                    }
                    return
                }
                if item.signatureValid == nil { covered += 1 }
                if let failure = replay.check(item) {
                    stop(failure)
                    return
                }
                if let failure = walk.checkCheckpoints(&pending, replay: &replay) {
                    stop(failure)
                    return
                }
            }
        }

        private func stop(_ failure: LedgerVerification.Failure) {
            self.failure = failure
            lock.withLock { halted = true }
        }
    }

    /// The failure to report when the walk stopped at `failure`: a stored tree node completed by an earlier entry
    /// that does not match is earlier still.
    private func earliest(_ replay: LedgerReplay, _ failure: LedgerVerification.Failure, covered: Int) -> Outcome {
        let node = failure.seq.flatMap { seq in (try? checkNodes(replay, before: seq)) ?? nil }
        return Outcome(verification: result(replay, node ?? failure), coveredSignatures: covered)
    }

    private func result(
        _ replay: LedgerReplay, _ failure: LedgerVerification.Failure?, covered: Int = 0
    ) -> LedgerVerification {
        var verification = LedgerVerification(
            verifiedCount: replay.count, headHash: replay.count > 0 ? replay.prevHash : nil, sheet: replay.sheet,
            failure: failure)
        verification.coveredSignatures = covered
        return verification
    }

    /// A row that could not be decoded: its seq when that much could be read, and why.
    struct RowProblem: Error, Sendable {
        let seq: Int64?
        let reason: String
    }

    private static func decode(_ row: PackedRows.Row) -> Result<LedgerEntry, RowProblem> {
        do {
            return .success(try Rows.entry(row))
        } catch {
            return .failure(RowProblem(seq: row.integer(at: 0), reason: "\(error)"))
        }
    }

    /// Decodes every row, hashes the entry and checks its signature unless covered, on all cores.
    private static func prepare(
        _ batch: PackedRows, trusted: Int64, coverage: Int64, operator operatorID: PeerID,
        signatures: SignatureCache
    ) -> [Result<PreparedEntry, RowProblem>] {
        batch.concurrentMap { row in
            Self.decode(row).map { entry in
                let covered = entry.seq <= trusted || (entry.seq <= coverage && entry.body.author == operatorID)
                return PreparedEntry(entry, checkSignature: !covered, cache: signatures)
            }
        }
    }

    /// A stored checkpoint and what checking its text, signature and origin found.
    struct StoredCheckpoint {
        let size: Int64
        let validity: CheckpointValidity
    }

    /// Every stored checkpoint, smallest first, each checked (on all cores) before the walk.
    private func loadCheckpoints() throws -> [StoredCheckpoint] {
        guard try db.tableExists("ledger_checkpoints") else { return [] }
        // Decoded with throwing accessors: a tampered row must be reported, not crash the verifier.
        let rows = try Row.fetchAll(db, sql: "SELECT size, text FROM ledger_checkpoints ORDER BY size")
            .map { (size: try $0.decode(Int64.self, atIndex: 0), text: try $0.decode(String.self, atIndex: 1)) }
        let operatorID = operatorID
        let slots = UnsafeMutableBufferPointer<CheckpointValidity?>.allocate(capacity: max(1, rows.count))
        defer { slots.deallocate() }
        slots.initialize(repeating: nil)
        nonisolated(unsafe) let shared = slots
        DispatchQueue.concurrentPerform(iterations: rows.count) { index in
            shared[index] = CheckpointValidity(text: rows[index].text, operator: operatorID)
        }
        return rows.indices.map { StoredCheckpoint(size: rows[$0].size, validity: slots[$0] ?? .invalid("unchecked")) }
    }

    /// Checks the checkpoints whose size is the number of entries checked so far.
    func checkCheckpoints(
        _ pending: inout ArraySlice<StoredCheckpoint>, replay: inout LedgerReplay
    ) -> LedgerVerification.Failure? {
        while let next = pending.first, next.size <= replay.count {
            pending = pending.dropFirst()
            if let failure = replay.checkCheckpoint(size: next.size, next.validity) { return failure }
        }
        return nil
    }
}
