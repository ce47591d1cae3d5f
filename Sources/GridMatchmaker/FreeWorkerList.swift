import GridCore

/// The workers with a free slot that offer one capability, kept sorted the way placement prefers them when a job
/// has no rank and has failed nowhere: lowest price first (the cheapest of the worker's offers of the capability,
/// a lower bound of what any job pays there), then most free slots, then lowest peer id.
///
/// So the first entry that fits such a job, at the price its lower bound promised, is the best placement, and the
/// search stops there instead of checking every free worker (docs/scheduling.md).
struct FreeWorkerList: Sendable {
    struct Entry: Sendable, Comparable {
        var minimumCost: Int
        var free: Int
        var peer: PeerID

        static func < (a: Entry, b: Entry) -> Bool {
            if a.minimumCost != b.minimumCost { return a.minimumCost < b.minimumCost }
            if a.free != b.free { return a.free > b.free }
            return a.peer < b.peer
        }
    }

    private(set) var entries: [Entry] = []

    var isEmpty: Bool { entries.isEmpty }

    mutating func insert(_ entry: Entry) {
        entries.insert(entry, at: position(of: entry))
    }

    mutating func remove(_ entry: Entry) {
        let index = position(of: entry)
        if index < entries.count, entries[index].peer == entry.peer {
            entries.remove(at: index)
        } else if let found = entries.firstIndex(where: { $0.peer == entry.peer }) {
            entries.remove(at: found)  // not where its key says: remove it wherever it is
        }
    }

    /// The first index whose entry is not less than `entry` (binary search).
    private func position(of entry: Entry) -> Int {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle] < entry { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
