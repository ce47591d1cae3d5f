import Dispatch
import Synchronization
import Testing
@testable import GridCore

@Suite("Handoff queue")
struct HandoffQueueTests {
    /// What the consumer ran, as (producer, index) pairs in the order it ran them.
    final class Log: Sendable {
        private let entries = Mutex<[(producer: Int, index: Int)]>([])
        func add(_ producer: Int, _ index: Int) { entries.withLock { $0.append((producer, index)) } }
        var all: [(producer: Int, index: Int)] { entries.withLock { $0 } }
    }

    @Test("closures added from four threads at once reach the consumer each exactly once, each thread's in order")
    func manyProducers() async throws {
        let queue = HandoffQueue()
        let log = Log()
        let producers = 4
        let perProducer = 5_000
        // The consumer blocks while it waits, so it runs on a Dispatch thread, not on the test's.
        let consumed = Task.detached {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().async {
                    while case let works = queue.takeAll(), !works.isEmpty {
                        for work in works { work() }
                    }
                    continuation.resume()
                }
            }
        }
        DispatchQueue.concurrentPerform(iterations: producers) { producer in
            for index in 0..<perProducer {
                queue.add { log.add(producer, index) }
            }
        }
        // Everything was added before the close, so the consumer takes all of it before it ends.
        queue.close()
        await consumed.value
        let all = log.all
        #expect(all.count == producers * perProducer)
        for producer in 0..<producers {
            #expect(all.filter { $0.producer == producer }.map(\.index) == Array(0..<perProducer))
        }
        #expect(queue.count == 0)
    }

    @Test("count is what was added and not yet taken; a closed, drained queue returns empty without waiting")
    func countAndClose() {
        let queue = HandoffQueue()
        let ran = Mutex(0)
        for _ in 0..<3 { queue.add { ran.withLock { $0 += 1 } } }
        #expect(queue.count == 3)
        let works = queue.takeAll()
        #expect(works.count == 3 && queue.count == 0)
        works.forEach { $0() }
        #expect(ran.withLock { $0 } == 3)
        queue.add {}
        queue.close()
        #expect(queue.takeAll().count == 1)
        #expect(queue.takeAll().isEmpty)
    }
}
