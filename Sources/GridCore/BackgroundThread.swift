import Foundation
import Synchronization

/// One thread of its own, at the lowest CPU priority, for work that must never slow the grid's jobs (a worker's ledger
/// replica catching up): it runs while a core is idle and waits while jobs keep the cores busy (docs/ledger.md,
/// *Replicas run on idle cores*). Nothing that others wait for belongs here: a lock or a read snapshot it holds is
/// held for as long as the thread waits for a core. Handing it work takes no lock it holds (`HandoffQueue`); only a
/// cancelled caller briefly shares one with it.
///
/// Closures run one at a time, in the order given, each to its end; blocking in one (SQLite, a signature check) blocks
/// only this thread. On Linux a scheduling policy and a nice value are a thread's own, so the rest of the process keeps
/// its priority. The thread ends once the `BackgroundThread` is gone and its queue is empty.
public final class BackgroundThread: Sendable {
    /// The nice value the thread asks for: the lowest priority Linux has.
    public static let lowestPriority: Int32 = 19

    private let queue: HandoffQueue
    /// The thread's name, as `/proc/PID/task/TID/comm` shows it (at most 15 bytes).
    public let name: String

    /// Starts the thread; `name` is cut to the 15 bytes Linux keeps.
    public init(name: String) {
        self.name = String(decoding: name.utf8.prefix(15), as: UTF8.self)
        let queue = HandoffQueue()
        self.queue = queue
        let threadName = self.name
        let thread = Thread {
            Self.lowerPriority(name: threadName)
            while case let works = queue.takeAll(), !works.isEmpty {
                for work in works { work() }
            }
        }
        thread.start()
    }

    deinit {
        queue.close()
    }

    /// Runs `body` on the thread and returns what it returned (or throws what it threw) once it ran.
    ///
    /// A cancelled caller does not wait for a thread that may get no core for a long while (a worker shutting down on
    /// busy cores): it gets `CancellationError` at once, and `body` is skipped if it has not started, or runs to its
    /// end with its result dropped. So `body` must leave things whole either way (one transaction, for instance).
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let waiting = Waiting<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard waiting.keep(continuation) else { return }
                queue.add {
                    guard !waiting.isCancelled else { return }
                    waiting.resume(with: Result(catching: body))
                }
            }
        } onCancel: {
            waiting.cancel()
        }
    }

    /// Closures waiting for the thread (not counting one running).
    var waitingClosures: Int { queue.count }

    /// A caller's continuation, resumed exactly once: with the closure's result, or by the caller's cancellation.
    private final class Waiting<T: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<T, any Error>?
            var cancelled = false
        }

        private let state = Mutex(State())

        /// Keeps `continuation` to resume later; false (and resumed with `CancellationError`) when already cancelled.
        func keep(_ continuation: CheckedContinuation<T, any Error>) -> Bool {
            let cancelled = state.withLock { state in
                if !state.cancelled { state.continuation = continuation }
                return state.cancelled
            }
            if cancelled { continuation.resume(throwing: CancellationError()) }
            return !cancelled
        }

        var isCancelled: Bool { state.withLock { $0.cancelled } }

        func cancel() {
            state.withLock { state in
                state.cancelled = true
                return state.continuation.take()
            }?.resume(throwing: CancellationError())
        }

        func resume(with result: Result<T, any Error>) {
            state.withLock { $0.continuation.take() }?.resume(with: result)
        }
    }

    /// Linux's `SCHED_IDLE` (glibc defines it only for GNU sources): a thread that runs only on a core no other
    /// thread wants, and that any thread waking up takes the core from.
    public static let idlePolicy: Int32 = 5

    /// Names the calling thread and gives it the lowest priority: the idle policy, and the highest nice value in case
    /// the policy is refused (either refusal leaves the work running, only yielding less to jobs).
    private static func lowerPriority(name: String) {
        #if os(Linux)
        // Foundation's `Thread.name` does not reach the kernel here, and `prctl` is variadic (Swift cannot call it); a
        // thread may write its own name to its `comm` file.
        try? name.write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, lowestPriority)
        var parameters = sched_param(sched_priority: 0)
        _ = sched_setscheduler(0, idlePolicy, &parameters)
        #endif
    }
}
