import Foundation
import GRDB
import GridCore
import GridCrypto
import GridMerkle

/// A peer's copy of a matchmaker's ledger, in a ledger file of its own, grown only by pages that check out.
///
/// Each page's entries are appended with `Ledger.append` (every signature, link and credit rule checked, the tree
/// built), and the page's checkpoint is accepted only when it is signed by the operator, consistent with the
/// checkpoint accepted before (`CheckpointVerifier`), and holds the root of the replica's own entries. A checkpoint
/// that conflicts with an accepted one is refused, and the pair is kept in `ledger_forks` as evidence; a replica
/// holding evidence follows that matchmaker no more. The file is an ordinary ledger file: `grid ledger verify`
/// checks it as it checks the matchmaker's.
public struct LedgerReplica: Sendable {
    /// The replica's file name in a peer's home (`grid ledger verify --home` falls back to it).
    public static let fileName = "ledger-replica.sqlite"

    public let store: LedgerStore
    /// Where pages are checked and written, when not on the caller's task: a worker's replica runs on a thread of the
    /// lowest priority, so it never takes a core from a job.
    public let background: BackgroundThread?

    /// Opens (creating if needed) the replica at `path` of the ledger operated by `operatorID`; with `background`,
    /// pages are checked and written on that thread.
    public init(path: String, operator operatorID: PeerID, background: BackgroundThread? = nil) throws {
        store = try LedgerStore(path: path, operator: operatorID)
        self.background = background
    }

    /// What one sync did.
    public struct SyncReport: Sendable, Hashable, CustomStringConvertible {
        /// Entries appended.
        public var appended = 0
        /// The size of the checkpoint accepted last, 0 when none.
        public var checkpointSize: UInt64 = 0
        /// Entries the replica holds.
        public var size: Int64 = 0
        /// Witnesses that have cosigned the checkpoint, as the matchmaker counts them after this replica's
        /// cosignature; 0 when the replica did not cosign.
        public var cosigners = 0

        public var description: String {
            "the replica holds \(size) entries (\(appended) new), checked up to the operator's checkpoint of "
                + "\(checkpointSize)" + (cosigners > 0 ? ", which \(cosigners) witnesses have cosigned" : "")
        }
    }

    /// The request for the next page.
    public func nextPull() async throws -> LedgerPull {
        try await store.database.read { db in
            LedgerPull(after: try Ledger.head(in: db)?.seq ?? 0,
                       knownSize: try Ledger.latestCheckpoint(in: db)?.checkpoint.size ?? 0)
        }
    }

    /// Pulls pages through `exchange` (one request, one answer) until the replica holds every entry of the latest
    /// checkpoint; throws a `ReplicaError` (after recording evidence, for a fork) when a page does not check out.
    ///
    /// With a `witness`, the replica then cosigns the checkpoint it verified (once per checkpoint) and sends the
    /// cosignature (`Message.cosign`); the matchmaker stores it and serves it with the checkpoint.
    public func sync(now: Int64, witness: Identity? = nil, exchange: (Message) async throws -> Message) async throws
        -> SyncReport {
        var report = SyncReport()
        if let evidence = try await evidence().first {
            throw ReplicaError.holdsEvidence(evidence.reason)
        }
        while true {
            let pull = try await nextPull()
            let answer = try await exchange(.ledgerPull(pull))
            let page: LedgerPage
            switch answer {
            case .ledgerPage(let received): page = received
            case .failure(let text): throw ReplicaError.refused(text)
            default: throw ReplicaError.refused("the matchmaker answered a ledger pull with another message")
            }
            let step = try await apply(page, now: now)
            report.appended += step.appended
            report.checkpointSize = step.checkpointSize
            report.size = step.size
            if step.caughtUp {
                if let witness, step.checkpointSize > 0 {
                    report.cosigners = try await cosign(step.checkpointSize, as: witness, exchange: exchange)
                }
                return report
            }
            guard step.appended > 0 else {
                throw ReplicaError.refused("the matchmaker sent no entries although its checkpoint covers "
                    + "\(step.checkpointSize) and the replica holds \(step.size)")
            }
        }
    }

    /// Cosigns the stored checkpoint of `size` entries as `witness`, keeps the cosignature and sends it; returns the
    /// number of cosigners the matchmaker reports.
    private func cosign(_ size: UInt64, as witness: Identity, exchange: (Message) async throws -> Message)
        async throws -> Int {
        let cosignature = try await store.database.write { db -> LedgerCosignature? in
            let mine = try Ledger.cosignatures(size: size, in: db).contains { $0.witness == witness.peerID }
            guard let text = try String.fetchOne(db, sql: "SELECT text FROM ledger_checkpoints WHERE size = ?",
                                                 arguments: [Int64(size)]) else { return nil }
            let checkpoint = try SignedCheckpoint(parsing: text).checkpoint
            let cosignature = LedgerCosignature(size: size, witness: witness.peerID,
                                                signature: Data(Cosignature.sign(checkpoint, by: witness)))
            if !mine { try Ledger.addCosignature(cosignature, in: db) }
            return cosignature
        }
        guard let cosignature else { return 0 }
        switch try await exchange(.cosign(cosignature)) {
        case .cosigned(let count): return count
        case .failure(let text): throw ReplicaError.refused("the matchmaker did not take the cosignature: \(text)")
        default: throw ReplicaError.refused("the matchmaker answered a cosignature with another message")
        }
    }

    /// What applying one page did.
    public struct Step: Sendable, Hashable {
        public var appended: Int
        public var checkpointSize: UInt64
        public var size: Int64
        /// True when the replica holds every entry the checkpoint covers.
        public var caughtUp: Bool
    }

    /// Checks and applies one page; see the type's documentation. With a `background` thread, the checks and the write
    /// run there.
    public func apply(_ page: LedgerPage, now: Int64) async throws -> Step {
        guard let text = page.checkpoint else {
            guard page.entries.isEmpty else {
                throw ReplicaError.refused("the matchmaker sent entries without a checkpoint covering them")
            }
            let size = try await store.head()?.seq ?? 0
            return Step(appended: 0, checkpointSize: 0, size: size, caughtUp: true)
        }
        let outcome: Result<Step, Conflict>
        do {
            if let background {
                outcome = try await background.run {
                    let checked = try checked(page, checkpoint: text, onAllCores: false)
                    return try store.database.write { db in try write(checked, page: page, in: db) }
                }
            } else {
                let checked = try checked(page, checkpoint: text, onAllCores: true)
                outcome = try await store.database.write { db in try write(checked, page: page, in: db) }
            }
        } catch let thrown as ConflictThrown {
            outcome = .failure(thrown.conflict)
        }
        switch outcome {
        case .success(let step): return step
        case .failure(let conflict): throw try await record(conflict, now: now)
        }
    }

    /// A page parsed, its checkpoint's signature checked, and its entries' signatures when checked ahead of the write.
    private struct CheckedPage: Sendable {
        let signed: SignedCheckpoint
        let proof: ConsistencyProof?
        let entries: [LedgerEntry]
        /// Each entry's signature check, when made before the write (on all cores); nil leaves them to the append.
        let signatureChecks: [Bool]?
    }

    /// Parses `page` and checks its checkpoint's signature; `onAllCores` checks the entries' signatures on every core
    /// before the write lock is taken, otherwise the append checks them on the calling thread.
    private func checked(_ page: LedgerPage, checkpoint text: String, onAllCores: Bool) throws -> CheckedPage {
        let signed: SignedCheckpoint
        do {
            signed = try SignedCheckpoint(parsing: text)
            try signed.verify(publicKey: store.operatorID.publicKey)
        } catch {
            throw ReplicaError.refused("the matchmaker's checkpoint is not one its operator signed: \(error)")
        }
        let proof: ConsistencyProof?
        do {
            proof = try page.consistency.map { try ConsistencyProof(parsing: Array($0)) }
        } catch {
            throw ReplicaError.refused("the consistency proof is malformed: \(error)")
        }
        let entries: [LedgerEntry]
        do {
            entries = try page.entries.map { try LedgerEntry(leafBytes: Array($0)) }
        } catch {
            throw ReplicaError.refused("an entry sent is malformed: \(error)")
        }
        return CheckedPage(signed: signed, proof: proof, entries: entries,
                           signatureChecks: onAllCores ? LedgerStore.checkSignatures(entries.map(\.signed)) : nil)
    }

    /// The write transaction of `apply`: a conflict with the trusted checkpoint is returned, one found after the
    /// entries were appended is thrown, so that they are rolled back.
    private func write(_ checked: CheckedPage, page: LedgerPage, in db: Database) throws -> Result<Step, Conflict> {
        let operatorID = store.operatorID
        let signed = checked.signed
        let trusted = try Ledger.latestCheckpoint(in: db)
        let verifier = CheckpointVerifier(origin: Ledger.origin(of: operatorID), publicKey: operatorID.publicKey,
                                          trusted: trusted?.checkpoint)
        do {
            try verifier.check(signed, proof: checked.proof)
        } catch let error as CheckpointError where error.isConflict {
            return .failure(Conflict(trusted: trusted, offered: signed, reason: "\(error)"))
        } catch {
            throw ReplicaError.refused("the matchmaker's checkpoint cannot be accepted: \(error)")
        }
        let appended = try Self.append(checked.entries, signatureChecks: checked.signatureChecks, operator: operatorID,
                                       in: db)
        let size = try Ledger.head(in: db)?.seq ?? 0
        let checkpointSize = signed.checkpoint.size
        guard UInt64(size) >= checkpointSize else {
            return .success(Step(appended: appended, checkpointSize: trusted?.checkpoint.size ?? 0, size: size,
                                 caughtUp: false))
        }
        guard try Ledger.root(atSize: checkpointSize, in: db) == signed.checkpoint.root else {
            // Roll the page back: these entries are not the ones the operator signed.
            throw ConflictThrown(Conflict(trusted: trusted, offered: signed, reason: "the checkpoint of "
                + "\(checkpointSize) entries signed by the operator does not hold the root of the entries it sent"))
        }
        if trusted?.checkpoint.size != checkpointSize {
            try db.execute(sql: "INSERT INTO ledger_checkpoints (size, text) VALUES (?, ?)",
                           arguments: [Int64(checkpointSize), signed.serialized])
        }
        // Other witnesses' cosignatures of it: kept when valid, ignored otherwise (they prove nothing then).
        for cosignature in page.cosignatures ?? [] where cosignature.size == checkpointSize {
            _ = try? Ledger.addCosignature(cosignature, in: db)
        }
        return .success(Step(appended: appended, checkpointSize: checkpointSize, size: size,
                             caughtUp: UInt64(size) == checkpointSize))
    }

    /// A conflict found inside the write, carried out of it so the evidence is written after the rollback.
    private struct Conflict: Error {
        let trusted: SignedCheckpoint?
        /// The operator's checkpoint that conflicts with `trusted`.
        let offered: SignedCheckpoint
        let reason: String
    }

    private struct ConflictThrown: Error {
        let conflict: Conflict
        init(_ conflict: Conflict) { self.conflict = conflict }
    }

    /// Appends entries received as leaf bytes; each must continue the replica's chain exactly.
    private static func append(
        _ entries: [LedgerEntry], signatureChecks: [Bool]?, operator operatorID: PeerID, in db: Database
    ) throws -> Int {
        guard !entries.isEmpty else { return 0 }
        let head = try Ledger.head(in: db)
        var seq = head?.seq ?? 0
        var prevHash = head?.hash ?? LedgerEntry.genesisHash
        for entry in entries {
            guard entry.seq == seq + 1, entry.prevHash == prevHash else {
                throw ReplicaError.refused("entry \(entry.seq) sent does not follow entry \(seq) of the replica")
            }
            seq = entry.seq
            prevHash = entry.hash
        }
        let appended: [LedgerEntry]
        do {
            appended = try Ledger.appendBatch(entries.map(\.signed), operator: operatorID,
                                              signatureChecks: signatureChecks, in: db)
        } catch let error as LedgerError {
            throw ReplicaError.refused("an entry sent breaks the ledger's rules: \(error)")
        }
        for (sent, stored) in zip(entries, appended) where sent.hash != stored.hash {
            throw ReplicaError.refused("entry \(sent.seq) sent does not hash as the replica's copy")
        }
        return appended.count
    }

    /// Stores the two conflicting checkpoints and returns the error to throw.
    private func record(_ conflict: Conflict, now: Int64) async throws -> ReplicaError {
        let trustedText = conflict.trusted?.serialized ?? ""
        try await store.database.write { db in
            try db.execute(sql: """
                INSERT INTO ledger_forks (detected_at, reason, trusted, conflicting) VALUES (?, ?, ?, ?)
                """, arguments: [now, conflict.reason, trustedText, conflict.offered.serialized])
        }
        return ReplicaError.fork(conflict.reason)
    }

    /// One recorded conflict: why, and the two signed checkpoints.
    public struct Evidence: Sendable, Hashable {
        public let reason: String
        public let trusted: String
        public let conflicting: String
    }

    /// The conflicts this replica recorded, oldest first.
    public func evidence() async throws -> [Evidence] {
        try await store.database.read { db in try Ledger.forkEvidence(in: db) }
    }
}

extension Ledger {
    /// The fork evidence a replica recorded in `ledger_forks`, oldest first.
    public static func forkEvidence(in db: Database) throws -> [LedgerReplica.Evidence] {
        guard try db.tableExists("ledger_forks") else { return [] }
        return try Row.fetchAll(db, sql: "SELECT reason, trusted, conflicting FROM ledger_forks ORDER BY id").map {
            LedgerReplica.Evidence(reason: try $0.decode(String.self, atIndex: 0),
                                   trusted: try $0.decode(String.self, atIndex: 1),
                                   conflicting: try $0.decode(String.self, atIndex: 2))
        }
    }
}
