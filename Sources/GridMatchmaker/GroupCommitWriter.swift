import Dispatch
import GRDB
import Synchronization

/// Runs the matchmaker's writes on one Dispatch queue, many operations to a transaction (group commit).
///
/// Operations queue up while a transaction runs; the next transaction takes all of them. Each operation runs in its
/// own savepoint, so one that throws (a refused escrow) is rolled back alone and the others commit. An operation's
/// completion is called only after its transaction committed (or with the error that stopped it), so nothing is
/// acknowledged before it is durable. The matchmaker's actor never waits for the disk: it enqueues and goes on.
///
/// Bookkeeping that nobody waits for (a job's running mark, an attempt's end, a worker's standing) can be queued as
/// *deferrable*: it never starts a transaction, on an idle writer or after a commit, but rides with the next operation
/// someone waits for (a settlement, a submission), or commits after `deferralLimit` if none comes. On an idle
/// matchmaker that takes syncs off a job: the running mark's, which the settlement would otherwise queue behind, and
/// the worker's standing's, queued while the settlement commits (docs/PERFORMANCE.md, "One round trip of (b)").
/// Under load every transaction is full anyway.
/// A crash loses what was queued and not yet committed, deferred or not; deferral lengthens that by up to
/// `deferralLimit`. The assignment is sent before the running mark commits either way.
final class GroupCommitWriter: Sendable {
    /// One unit of work and what to do once it is durable (or failed).
    struct Operation: Sendable {
        let work: @Sendable (Database) throws -> Void
        let completion: @Sendable ((any Error)?) -> Void
    }

    private struct State {
        var pending: [Operation] = []
        /// How many of `pending` someone waits for (not deferrable).
        var awaited = 0
        var draining = false
        var flushScheduled = false
        var transactions = 0
        var operations = 0
    }

    private let database: DatabasePool
    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "grid.matchmaker.store")
    /// The longest a deferrable operation waits for a transaction it can ride with.
    let deferralLimit: Duration

    init(database: DatabasePool, deferralLimit: Duration = .milliseconds(2)) {
        self.database = database
        self.deferralLimit = deferralLimit
    }

    /// Transactions committed and operations carried so far (for benchmarks and logs).
    var counts: (transactions: Int, operations: Int) {
        state.withLock { ($0.transactions, $0.operations) }
    }

    /// Operations queued and not yet taken by a transaction, and whether a transaction is running or about to.
    var backlog: (pending: Int, draining: Bool) {
        state.withLock { ($0.pending.count, $0.draining) }
    }

    /// Queues `work`; `completion` runs on the writer's queue after the transaction holding it committed.
    ///
    /// A `deferrable` operation waits up to `deferralLimit` for another operation to start a transaction.
    func enqueue(_ work: @escaping @Sendable (Database) throws -> Void, deferrable: Bool = false,
                 completion: @escaping @Sendable ((any Error)?) -> Void = { _ in }) {
        enum Start { case none, now, later }
        let start = state.withLock { state -> Start in
            state.pending.append(Operation(work: work, completion: completion))
            if !deferrable { state.awaited += 1 }
            guard !state.draining else { return .none }
            if deferrable { return Self.scheduleFlush(&state) ? .later : .none }
            state.draining = true
            return .now
        }
        switch start {
        case .none: break
        case .now: queue.async { self.drain() }
        case .later: flushAfterDeferralLimit()
        }
    }

    /// Whether the caller must start the deferral timer (none is running yet); marks it as running.
    private static func scheduleFlush(_ state: inout State) -> Bool {
        guard !state.flushScheduled else { return false }
        state.flushScheduled = true
        return true
    }

    private func flushAfterDeferralLimit() {
        let nanoseconds = Int(deferralLimit.components.seconds * 1_000_000_000
            + deferralLimit.components.attoseconds / 1_000_000_000)
        queue.asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { self.flushDeferred() }
    }

    /// Commits deferred operations that no other transaction carried within `deferralLimit`.
    private func flushDeferred() {
        let start = state.withLock { state -> Bool in
            state.flushScheduled = false
            guard !state.draining, !state.pending.isEmpty else { return false }
            state.draining = true
            return true
        }
        if start { drain(flushing: true) }
    }

    /// Runs `body` in the next group transaction and returns its value once that transaction committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let box = Box<T>()
        return try await withCheckedThrowingContinuation { continuation in
            enqueue({ db in box.value = try body(db) }, completion: { error in
                if let error {
                    continuation.resume(throwing: error)
                } else if let value = box.value {
                    continuation.resume(returning: value)
                } else {
                    continuation.resume(throwing: CancellationError())
                }
            })
        }
    }

    /// Runs transactions while operations someone waits for are queued: the first takes everything pending (also
    /// deferrable operations alone when `flushing`, after the deferral limit); when only deferrable ones are left after
    /// a commit, they wait for the next awaited operation or the deferral limit.
    private func drain(flushing: Bool = false) {
        var takeDeferrable = flushing
        while true {
            let (batch, flushLater) = state.withLock { state -> ([Operation], Bool) in
                guard !state.pending.isEmpty, state.awaited > 0 || takeDeferrable else {
                    state.draining = false
                    return ([], !state.pending.isEmpty && Self.scheduleFlush(&state))
                }
                let batch = state.pending
                state.pending = []
                state.awaited = 0
                return (batch, false)
            }
            takeDeferrable = false
            if flushLater { flushAfterDeferralLimit() }
            guard !batch.isEmpty else { return }
            var errors = [(any Error)?](repeating: nil, count: batch.count)
            do {
                try database.writeWithoutTransaction { db in
                    try db.inTransaction(.immediate) {
                        for (index, operation) in batch.enumerated() {
                            do {
                                try db.inCachedSavepoint {
                                    try operation.work(db)
                                    return .commit
                                }
                            } catch {
                                errors[index] = error
                            }
                        }
                        return .commit
                    }
                }
                state.withLock {
                    $0.transactions += 1
                    $0.operations += batch.count
                }
            } catch {
                errors = batch.map { _ in error }
            }
            for (operation, error) in zip(batch, errors) { operation.completion(error) }
        }
    }

    /// Carries a value out of a transaction; written once by the writer's queue before the completion reads it.
    private final class Box<T: Sendable>: @unchecked Sendable {
        var value: T?
    }
}
