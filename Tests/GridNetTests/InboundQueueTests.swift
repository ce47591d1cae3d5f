import Synchronization
import Testing
@testable import GridNet

/// The hand-off between the event loop and `receive()`.
@Suite struct InboundQueueTests {
    @Test func deliversInOrderThenNilAtACleanEnd() async throws {
        let queue = InboundQueue()
        queue.push([1])
        queue.push([2])
        queue.finish()
        queue.push([3])
        #expect(try await queue.next() == [1])
        #expect(try await queue.next() == [2])
        #expect(try await queue.next() == nil)
        #expect(try await queue.next() == nil)
    }

    @Test func deliversBufferedMessagesBeforeTheError() async throws {
        let queue = InboundQueue()
        queue.push([1])
        queue.finish(NetError.decryptionFailed)
        queue.finish()
        #expect(try await queue.next() == [1])
        await #expect(throws: NetError.decryptionFailed) { try await queue.next() }
    }

    @Test func measuresHowLongAReaderHasWaitedOnlyWhileItWaits() async throws {
        let queue = InboundQueue()
        #expect(queue.waitingFor() == nil)
        queue.push([1])
        #expect(try await queue.next() == [1])
        #expect(queue.waitingFor() == nil)
        async let message = queue.next()
        let deadline = ContinuousClock.now + .seconds(20)
        while queue.waitingFor() == nil, ContinuousClock.now < deadline {
            await Task.yield()
        }
        let waited = try #require(queue.waitingFor())
        #expect(waited >= .zero)
        #expect(try #require(queue.waitingFor(now: .now + .seconds(3))) >= .seconds(3))
        queue.push([2])
        #expect(try await message == [2])
        #expect(queue.waitingFor() == nil)
    }

    @Test func waitingReaderGetsTheNextPush() async throws {
        let queue = InboundQueue()
        async let message = queue.next()
        queue.push([9])
        // Whether the reader was already waiting or not, it gets the message.
        #expect(try await message == [9])
    }

    @Test func cancellingAWaitingReaderThrows() async throws {
        let queue = InboundQueue()
        let reader = Task { try await queue.next() }
        reader.cancel()
        await #expect(throws: CancellationError.self) { try await reader.value }
        queue.push([1])
        #expect(try await queue.next() == [1])
    }

    @Test func pausesWhenFullAndResumesOnceDrained() async throws {
        let queue = InboundQueue(highWatermark: 100, lowWatermark: 40)
        let resumed = ResumeCounter()
        queue.setResumeReading { resumed.increment() }
        queue.push([UInt8](repeating: 0, count: 60))
        #expect(!queue.pauseReadingIfFull())
        queue.push([UInt8](repeating: 0, count: 60))
        #expect(queue.pauseReadingIfFull())
        _ = try await queue.next()
        #expect(resumed.value == 0)  // 60 bytes left, above the low watermark
        _ = try await queue.next()
        #expect(resumed.value == 1)
    }
}

final class ResumeCounter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
