import Dispatch
import Synchronization

/// Kills a runner if a blocking exchange with it is still going at a deadline; remembers whether it did.
///
/// `finish()` and the timer race under one lock, so a runner is never killed after its exchange ended, and an
/// exchange that ended never counts as timed out. `@unchecked Sendable`: `DispatchWorkItem.cancel()` is safe from
/// any thread, and the rest is behind the `Mutex`.
final class KillTimer: @unchecked Sendable {
    private struct State {
        var finished = false
        var fired = false
    }

    private let state = Mutex(State())
    private var item: DispatchWorkItem?

    init(_ runner: RunnerProcess, after timeout: Duration) {
        let item = DispatchWorkItem { [weak self] in
            guard let self else { return }
            let fire = self.state.withLock { state -> Bool in
                guard !state.finished else { return false }
                state.fired = true
                return true
            }
            if fire { runner.kill() }
        }
        self.item = item
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = Int(clamping: seconds) &* 1_000_000_000 &+ Int(attoseconds / 1_000_000_000)
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(max(0, nanoseconds)), execute: item)
    }

    /// Ends the race; returns true when the timer had already killed the runner.
    func finish() -> Bool {
        item?.cancel()
        return state.withLock { state in
            state.finished = true
            return state.fired
        }
    }
}
