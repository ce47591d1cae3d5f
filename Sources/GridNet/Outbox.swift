import Synchronization

/// What one connection's sending task has yet to send: producers `yield` without waiting (an actor never awaits the
/// network), and the task takes everything queued at once with `next()`, so a burst leaves in one frame.
///
/// One consumer at a time. After `finish()`, the consumer gets what was queued before it, then nil; later yields are
/// dropped.
public final class Outbox<Element: Sendable>: Sendable {
    private struct State {
        var items: [Element] = []
        var finished = false
        var waiter: CheckedContinuation<[Element]?, Never>?
    }

    private let state = Mutex(State())

    public init() {}

    /// Queues `element`, or hands it straight to the waiting consumer.
    public func yield(_ element: Element) {
        let waiter = state.withLock { state -> CheckedContinuation<[Element]?, Never>? in
            guard !state.finished else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.items.append(element)
            return nil
        }
        waiter?.resume(returning: [element])
    }

    /// Ends the outbox: the consumer gets what is queued, then nil.
    public func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<[Element]?, Never>? in
            state.finished = true
            let waiter = state.waiter
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Everything queued, in order, waiting for at least one element; nil once finished and empty, or when the calling
    /// task is cancelled.
    public func next() async -> [Element]? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[Element]?, Never>) in
                let ready = state.withLock { state -> [Element]?? in
                    if !state.items.isEmpty {
                        let items = state.items
                        state.items = []
                        return .some(items)
                    }
                    if state.finished || Task.isCancelled { return .some(nil) }
                    precondition(state.waiter == nil, "an Outbox has one consumer at a time")
                    state.waiter = continuation
                    return .none
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                let waiter = state.waiter
                state.waiter = nil
                return waiter
            }
            waiter?.resume(returning: nil)
        }
    }
}
