import Dispatch
import Synchronization

/// Closures handed from any thread to one consumer thread, oldest first, with no lock the consumer ever holds.
///
/// `BackgroundThread` runs at the lowest priority, so it may lose its core at any instruction and not get one back for
/// a while; a lock it held then would stall whoever adds work (an event loop thread). Here producers push onto a linked
/// list with a compare-and-exchange, and the consumer takes the whole list at once with one exchange, so nobody ever
/// waits for the consumer. (Pushing and taking everything leaves no ABA hazard: a producer's node always links to the
/// very top it replaces.)
final class HandoffQueue: Sendable {
    typealias Work = @Sendable () -> Void

    /// One closure in the list, linked to the one added before it.
    private final class Node {
        let work: Work
        var earlier: UnsafeMutableRawPointer?

        init(_ work: @escaping Work) {
            self.work = work
        }
    }

    /// The address of the node added last, 0 when the consumer took everything (an address, not a pointer: a pointer
    /// is not `Sendable`).
    private let top = Atomic<UInt>(0)
    private let added = Atomic<Int>(0)
    private let taken = Atomic<Int>(0)
    private let closed = Atomic<Bool>(false)
    private let ready = DispatchSemaphore(value: 0)

    deinit {
        // Closures never taken (the consumer ended first): released with their nodes.
        var cursor = UnsafeMutableRawPointer(bitPattern: top.exchange(0, ordering: .acquiring))
        while let address = cursor {
            cursor = Unmanaged<Node>.fromOpaque(address).takeRetainedValue().earlier
        }
    }

    /// Adds `work` for the consumer; never waits.
    func add(_ work: @escaping Work) {
        let node = Unmanaged.passRetained(Node(work))
        let address = UInt(bitPattern: node.toOpaque())
        var expected = top.load(ordering: .relaxed)
        while true {
            node.takeUnretainedValue().earlier = UnsafeMutableRawPointer(bitPattern: expected)
            let (exchanged, found) = top.compareExchange(expected: expected, desired: address, ordering: .releasing)
            if exchanged { break }
            expected = found
        }
        added.add(1, ordering: .relaxed)
        ready.signal()
    }

    /// Closures added and not yet taken by the consumer.
    var count: Int { added.load(ordering: .relaxed) - taken.load(ordering: .relaxed) }

    /// No more closures will come: the consumer's `takeAll` returns empty once it took the last ones.
    func close() {
        closed.store(true, ordering: .releasing)
        ready.signal()
    }

    /// For the consumer alone: every closure added since the last call, oldest first, waiting for at least one; empty
    /// once closed and drained.
    func takeAll() -> [Work] {
        while true {
            if let newest = UnsafeMutableRawPointer(bitPattern: top.exchange(0, ordering: .acquiring)) {
                var works: [Work] = []
                var cursor: UnsafeMutableRawPointer? = newest
                while let address = cursor {
                    let node = Unmanaged<Node>.fromOpaque(address).takeRetainedValue()
                    works.append(node.work)
                    cursor = node.earlier
                }
                taken.add(works.count, ordering: .relaxed)
                return works.reversed()
            }
            if closed.load(ordering: .acquiring) { return [] }
            ready.wait()
        }
    }
}
