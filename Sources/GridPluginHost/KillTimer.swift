import Dispatch
import Synchronization

/// Kills a runner if a blocking exchange with it is still going at a deadline; remembers whether it did.
///
/// `finish()` and the timer race under one lock, so a runner is never killed after its exchange ended, and an
/// exchange that ended never counts as timed out. The timer is a Dispatch timer source that `finish()` cancels, so
/// a call that ended releases its timer (and the runner it holds) at once, not at the deadline. `@unchecked
/// Sendable`: `DispatchSourceTimer.cancel()` is safe from any thread, and the rest is behind the `Mutex`.
final class KillTimer: @unchecked Sendable {
    private struct State {
        var finished = false
        var fired = false
    }

    private let state = Mutex(State())
    private let timer: DispatchSourceTimer

    init(_ runner: RunnerProcess, after timeout: Duration) {
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = Int(clamping: seconds) &* 1_000_000_000 &+ Int(attoseconds / 1_000_000_000)
        timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + .nanoseconds(max(0, nanoseconds)))
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            let fire = self.state.withLock { state -> Bool in
                guard !state.finished else { return false }
                state.fired = true
                return true
            }
            if fire { runner.kill() }
        }
        timer.resume()
    }

    /// Ends the race; returns true when the timer had already killed the runner.
    func finish() -> Bool {
        timer.cancel()
        return state.withLock { state in
            state.finished = true
            return state.fired
        }
    }
}
