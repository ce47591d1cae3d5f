import GridCore

/// A min-heap of (deadline, job): the earliest deadline on top, so `tick` looks only at what has expired.
/// Entries are not removed when a job moves on; the scheduler skips ones that no longer apply, and compacts the heap
/// when stale entries outnumber live ones (so a queue timeout of an hour does not keep every finished job's entry).
struct DeadlineHeap: Sendable {
    struct Entry: Sendable {
        var deadline: ContinuousClock.Instant
        var job: JobID
        /// Which lease or queue stay the deadline belongs to (an attempt number), to tell stale entries apart.
        var generation: Int
    }

    private var items: [Entry] = []

    var isEmpty: Bool { items.isEmpty }
    var count: Int { items.count }
    var top: Entry? { items.first }

    mutating func push(_ entry: Entry) {
        items.append(entry)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].deadline < items[parent].deadline else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Entry? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        siftDown(from: 0)
        return top
    }

    /// Keeps only the entries for which `isLive` holds, and restores the heap order (O(n)).
    mutating func compact(keeping isLive: (Entry) -> Bool) {
        items = items.filter(isLive)
        var index = items.count / 2
        while index > 0 {
            index -= 1
            siftDown(from: index)
        }
    }

    private mutating func siftDown(from start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < items.count && items[left].deadline < items[smallest].deadline { smallest = left }
            if right < items.count && items[right].deadline < items[smallest].deadline { smallest = right }
            guard smallest != parent else { return }
            items.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
