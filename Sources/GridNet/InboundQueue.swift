import Synchronization

/// Decrypted messages on their way from the event loop to `SecureConnection.receive()`.
///
/// The channel handler pushes messages and the end of the stream; one task at a time takes them. Past
/// `highWatermark` buffered bytes the handler stops reading from the socket; once the reader has drained the
/// queue below `lowWatermark`, `resumeReading` is called so the handler reads again.
final class InboundQueue: Sendable {
    private enum End {
        case finished
        case failed(NetError)
    }

    private struct State {
        var messages: [[UInt8]] = []
        var head = 0
        var bufferedBytes = 0
        var end: End?
        var waiter: CheckedContinuation<[UInt8]?, any Error>?
        var readingPaused = false
        /// When the current waiter parked (meaningful only while `waiter` is set).
        var parkedAt = ContinuousClock.Instant.now
        var resumeReading: (@Sendable () -> Void)?

        mutating func popFirst() -> [UInt8]? {
            guard head < messages.count else { return nil }
            let message = messages[head]
            head += 1
            bufferedBytes -= message.count
            if head == messages.count {
                messages.removeAll(keepingCapacity: true)
                head = 0
            }
            return message
        }

        var isEmpty: Bool { head == messages.count }
        var count: Int { messages.count - head }
    }

    private let state = Mutex(State())
    let highWatermark: Int
    let lowWatermark: Int

    init(highWatermark: Int = 4 * 1024 * 1024, lowWatermark: Int = 1024 * 1024) {
        self.highWatermark = highWatermark
        self.lowWatermark = lowWatermark
    }

    /// Sets what to call (from any thread) when reading should resume after a pause; nil to drop it.
    func setResumeReading(_ resume: (@Sendable () -> Void)?) {
        state.withLock { $0.resumeReading = resume }
    }

    /// Adds a message, or hands it straight to a waiting reader.
    func push(_ message: [UInt8]) {
        let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, any Error>? in
            guard state.end == nil else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.messages.append(message)
            state.bufferedBytes += message.count
            return nil
        }
        waiter?.resume(returning: message)
    }

    /// How long a reader has been waiting in `next()` with nothing to take, or nil when none is waiting: the time a
    /// connection has had nothing outstanding, for a listener's idle timeout.
    func waitingFor(now: ContinuousClock.Instant = .now) -> Duration? {
        state.withLock { state in state.waiter == nil ? nil : now - state.parkedAt }
    }

    /// True (and remembers that reading is paused) when the reader is too far behind to read more now.
    func pauseReadingIfFull() -> Bool {
        state.withLock { state in
            guard state.bufferedBytes >= highWatermark || state.count >= 1024 else { return false }
            state.readingPaused = true
            return true
        }
    }

    /// Ends the stream: after the buffered messages the reader gets nil (`nil`) or the error.
    func finish(_ error: NetError? = nil) {
        let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, any Error>? in
            guard state.end == nil else { return nil }
            state.end = error.map { .failed($0) } ?? .finished
            state.resumeReading = nil
            let waiter = state.waiter
            state.waiter = nil
            return waiter
        }
        if let error {
            waiter?.resume(throwing: error)
        } else {
            waiter?.resume(returning: nil)
        }
    }

    /// The next message, nil at a clean end; throws the failure, `CancellationError`, or
    /// `NetError.concurrentReceive` when another task is already waiting.
    func next() async throws -> [UInt8]? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8]?, any Error>) in
                enum Step {
                    case deliver([UInt8]?, resume: (@Sendable () -> Void)?)
                    case fail(any Error)
                    case wait
                }
                let step = state.withLock { state -> Step in
                    if state.waiter != nil { return .fail(NetError.concurrentReceive) }
                    if let message = state.popFirst() {
                        var resume: (@Sendable () -> Void)?
                        if state.readingPaused, state.bufferedBytes <= lowWatermark, state.count < 512 {
                            state.readingPaused = false
                            resume = state.resumeReading
                        }
                        return .deliver(message, resume: resume)
                    }
                    switch state.end {
                    case .finished: return .deliver(nil, resume: nil)
                    case .failed(let error): return .fail(error)
                    case nil: break
                    }
                    if Task.isCancelled { return .fail(CancellationError()) }
                    state.waiter = continuation
                    state.parkedAt = .now
                    return .wait
                }
                switch step {
                case .deliver(let message, let resume):
                    resume?()
                    continuation.resume(returning: message)
                case .fail(let error):
                    continuation.resume(throwing: error)
                case .wait:
                    break
                }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                let waiter = state.waiter
                state.waiter = nil
                return waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}
