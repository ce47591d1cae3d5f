import Foundation
import GridCore
import Synchronization
import GridTestKit
import Testing

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
