import GridCore
import Testing
@testable import GridClient

@Suite("PendingReplies")
struct PendingRepliesTests {
    @Test("answers go to requests in the order they were queued")
    func inOrder() async throws {
        let replies = PendingReplies()
        let first = replies.makeToken()
        let second = replies.makeToken()
        async let a = withCheckedThrowingContinuation { #expect(replies.enqueue(first, $0)) }
        try await Self.until { replies.waiting == 1 }
        async let b = withCheckedThrowingContinuation { #expect(replies.enqueue(second, $0)) }
        try await Self.until { replies.waiting == 2 }
        #expect(replies.answer(.credits(1)))
        #expect(replies.answer(.credits(2)))
        #expect(!replies.answer(.credits(3)))
        #expect(try await a == .credits(1))
        #expect(try await b == .credits(2))
    }

    @Test("a cancelled request ends at once, and the answer meant for it is dropped, not given to the next")
    func cancelled() async throws {
        let replies = PendingReplies()
        let first = replies.makeToken()
        let second = replies.makeToken()
        async let a = withCheckedThrowingContinuation { #expect(replies.enqueue(first, $0)) }
        try await Self.until { replies.waiting == 1 }
        async let b = withCheckedThrowingContinuation { #expect(replies.enqueue(second, $0)) }
        try await Self.until { replies.waiting == 2 }
        replies.cancel(first)
        do {
            _ = try await a
            Issue.record("the cancelled request got an answer")
        } catch {
            #expect(error is CancellationError)
        }
        #expect(replies.answer(.credits(1)))
        #expect(replies.answer(.credits(2)))
        #expect(try await b == .credits(2))
    }

    @Test("a request cancelled before it was queued is not queued (and must not be sent)")
    func cancelledEarly() async throws {
        let replies = PendingReplies()
        let token = replies.makeToken()
        replies.cancel(token)
        var queued = true
        await #expect(throws: CancellationError.self) {
            _ = try await withCheckedThrowingContinuation { queued = replies.enqueue(token, $0) }
        }
        #expect(!queued)
        #expect(!replies.answer(.credits(1)))
    }

    @Test("a broken link fails every waiting request")
    func failAll() async throws {
        let replies = PendingReplies()
        let token = replies.makeToken()
        async let a = withCheckedThrowingContinuation { #expect(replies.enqueue(token, $0)) }
        try await Self.until { replies.waiting == 1 }
        replies.failAll(ClientError.closed)
        do {
            _ = try await a
            Issue.record("the request got an answer after the link broke")
        } catch {
            #expect(error is ClientError)
        }
        #expect(!replies.answer(.credits(1)))
    }

    /// Polls `condition` until it holds, failing after five seconds.
    static func until(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("the condition did not hold within 5 s")
                return
            }
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}
