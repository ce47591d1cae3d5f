import Testing
@testable import GridNet

@Suite("Outbox")
struct OutboxTests {
    @Test func takesEverythingQueuedInOrder() async {
        let outbox = Outbox<Int>()
        for i in 0..<5 { outbox.yield(i) }
        #expect(await outbox.next() == [0, 1, 2, 3, 4])
        outbox.yield(5)
        #expect(await outbox.next() == [5])
    }

    @Test func waitsForTheFirstElement() async throws {
        let outbox = Outbox<Int>()
        try await withDeadline(.seconds(60), "a waiting consumer") {
            try await withThrowingTaskGroup(of: [Int]?.self) { group in
                group.addTask { await outbox.next() }
                // The consumer may or may not be parked yet; either way it gets the element.
                outbox.yield(1)
                let first = try await group.next()
                #expect(first == .some([1]))
            }
        }
    }

    @Test func finishDeliversWhatIsQueuedThenNil() async {
        let outbox = Outbox<String>()
        outbox.yield("a")
        outbox.yield("b")
        outbox.finish()
        outbox.yield("dropped")
        #expect(await outbox.next() == ["a", "b"])
        #expect(await outbox.next() == nil)
        #expect(await outbox.next() == nil)
    }

    @Test func finishWakesAWaitingConsumer() async throws {
        let outbox = Outbox<Int>()
        try await withDeadline(.seconds(60), "finish waking the consumer") {
            try await withThrowingTaskGroup(of: [Int]?.self) { group in
                group.addTask { await outbox.next() }
                outbox.finish()
                let result = try await group.next()
                #expect(result == .some(nil))
            }
        }
    }

    @Test func cancellingTheConsumerEndsItsWait() async throws {
        let outbox = Outbox<Int>()
        try await withDeadline(.seconds(60), "a cancelled consumer") {
            let consumer = Task { await outbox.next() }
            consumer.cancel()
            #expect(await consumer.value == nil)
        }
        // The outbox still works for the next consumer.
        outbox.yield(3)
        #expect(await outbox.next() == [3])
    }
}
