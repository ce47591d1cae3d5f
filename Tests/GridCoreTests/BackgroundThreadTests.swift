import Dispatch
import Foundation
import GridTestKit
import Synchronization
import Testing
@testable import GridCore

@Suite("Background thread")
struct BackgroundThreadTests {
    struct Refused: Error, Equatable {
        let number: Int
    }

    @Test("closures run one at a time, each to its end; values come back and errors are rethrown")
    func oneAtATime() async throws {
        let thread = BackgroundThread(name: "bg-serial")
        let seen = Seen()
        let values = try await withThrowingTaskGroup(of: Int.self) { group in
            for number in 0..<50 {
                group.addTask {
                    try await thread.run {
                        seen.enter()
                        defer { seen.leave() }
                        usleep(100)
                        return number * 2
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(values.sorted() == (0..<50).map { $0 * 2 })
        #expect(seen.mostAtOnce == 1)
        let error = await #expect(throws: Refused.self) { try await thread.run { throw Refused(number: 7) } }
        #expect(error == Refused(number: 7))
        #expect(try await thread.run { 1 } == 1)
    }

    @Test("the thread is named, has the lowest priority and the idle policy; the caller's thread keeps its own")
    func lowestPriority() async throws {
        let before = try ThreadInfo.current()
        let thread = BackgroundThread(name: "bg-priority-test-long-name")
        #expect(thread.name == "bg-priority-tes")
        let inside = try await thread.run { try ThreadInfo.current() }
        #expect(inside.name == "bg-priority-tes")
        #expect(inside.nice == Int(BackgroundThread.lowestPriority))
        #expect(inside.policy == Int(BackgroundThread.idlePolicy))
        #expect(inside.tid != before.tid)
        let after = try ThreadInfo.current()
        #expect(after.nice == before.nice)
        #expect(after.policy == before.policy)
        // Every closure runs on that one thread.
        #expect(try await thread.run { try ThreadInfo.current().tid } == inside.tid)
    }

    @Test("a caller cancelled while its closure waits returns at once, and the closure is skipped")
    func cancelledWhileWaiting() async throws {
        let thread = BackgroundThread(name: "bg-cancel")
        let gate = DispatchSemaphore(value: 0)
        let started = Flag()
        // The thread is busy (as it is when it gets no core) until the gate opens.
        let blocker = Task { try await thread.run { started.set(); gate.wait() } }
        try await poll(until: { started.isSet })
        let skipped = Flag()
        let waiting = Task { try await thread.run { skipped.set(); return 1 } }
        try await poll(until: { thread.waitingClosures == 1 })
        waiting.cancel()
        // Polled with a deadline, not awaited: a cancellation that did not reach the caller would wait for the gate.
        let ended = Flag()
        Task { _ = await waiting.result; ended.set() }
        try await poll(until: { ended.isSet })
        gate.signal()
        try await blocker.value
        await #expect(throws: CancellationError.self) { try await waiting.result.get() }
        // Whatever was queued after the skipped closure runs: the queue went past it.
        #expect(try await thread.run { 2 } == 2)
        #expect(!skipped.isSet)
    }

    @Test("a caller cancelled before it asks gets CancellationError, and its closure never runs")
    func cancelledBeforeAsking() async throws {
        let thread = BackgroundThread(name: "bg-cancel-early")
        let ran = Flag()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await thread.run { ran.set() }
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(try await thread.run { 3 } == 3)
        #expect(!ran.isSet)
    }

    /// Polls `condition` every millisecond for up to ten seconds.
    func poll(until condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
        #expect(condition())
    }

    @Test("the thread ends once the BackgroundThread is gone")
    func endsWhenReleased() async throws {
        let pid = getpid()
        var tid: Int?
        do {
            let thread = BackgroundThread(name: "bg-ends")
            tid = try await thread.run { try ThreadInfo.current().tid }
        }
        let gone = try #require(tid)
        let deadline = ContinuousClock.now + .seconds(10)
        while try ThreadInfo.threads(of: pid).contains(where: { $0.tid == gone }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(try !ThreadInfo.threads(of: pid).contains { $0.tid == gone })
    }

    /// How many closures ran at once, counted from inside them.
    final class Seen: Sendable {
        private let state = Mutex((now: 0, most: 0))
        func enter() { state.withLock { $0.now += 1; $0.most = max($0.most, $0.now) } }
        func leave() { state.withLock { $0.now -= 1 } }
        var mostAtOnce: Int { state.withLock { $0.most } }
    }
}
