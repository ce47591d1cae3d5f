import Foundation
import GridCore

/// The requests sent on one link and waiting for their answers, in the order they were sent (answers come in that
/// order). A request whose task is cancelled is answered at once with `CancellationError`; its slot stays, so the
/// answer that comes later for it is dropped instead of going to the next request.
///
/// Behind a lock rather than on the connection's actor, so a task's cancellation handler can reach it synchronously.
final class PendingReplies: @unchecked Sendable {
    private struct Slot {
        var token: UInt64
        var continuation: CheckedContinuation<Message, any Error>?
    }

    private let lock = NSLock()
    private var slots: [Slot] = []
    private var head = 0
    private var lastToken: UInt64 = 0
    /// Tokens cancelled before their request was queued.
    private var cancelledEarly: Set<UInt64> = []

    /// How many requests wait for an answer (cancelled ones included until their answer comes).
    var waiting: Int {
        lock.withLock { slots.count - head }
    }

    func makeToken() -> UInt64 {
        lock.withLock {
            lastToken += 1
            return lastToken
        }
    }

    /// Queues the continuation of request `token` and returns true, or resumes it with `CancellationError` and
    /// returns false when its task was cancelled already (the request must then not be sent).
    func enqueue(_ token: UInt64, _ continuation: CheckedContinuation<Message, any Error>) -> Bool {
        let early = lock.withLock {
            if cancelledEarly.remove(token) != nil { return true }
            slots.append(Slot(token: token, continuation: continuation))
            return false
        }
        if early { continuation.resume(throwing: CancellationError()) }
        return !early
    }

    /// Answers request `token` with `CancellationError` now.
    func cancel(_ token: UInt64) {
        let continuation: CheckedContinuation<Message, any Error>? = lock.withLock {
            guard let index = slots[head...].firstIndex(where: { $0.token == token }) else {
                cancelledEarly.insert(token)
                return nil
            }
            defer { slots[index].continuation = nil }
            return slots[index].continuation
        }
        continuation?.resume(throwing: CancellationError())
    }

    /// Hands `answer` to the oldest request; false when no request was waiting.
    func answer(_ answer: Message) -> Bool {
        let next: Slot? = lock.withLock {
            guard head < slots.count else { return nil }
            let slot = slots[head]
            head += 1
            if head > 1024, head * 2 > slots.count {
                slots.removeFirst(head)
                head = 0
            }
            return slot
        }
        guard let next else { return false }
        next.continuation?.resume(returning: answer)
        return true
    }

    /// Fails every waiting request with `error` (the link broke).
    func failAll(_ error: any Error) {
        let waiting = lock.withLock {
            let waiting = slots[head...].compactMap(\.continuation)
            slots = []
            head = 0
            return waiting
        }
        for continuation in waiting { continuation.resume(throwing: error) }
    }
}
