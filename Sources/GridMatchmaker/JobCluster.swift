import GridCore

/// Queued jobs sharing a `ClusterKey`, first in first out by submission order.
///
/// Removal from the middle (a cancel, a queue timeout) is lazy: the scheduler forgets the job and `popHead` skips
/// entries it no longer knows, so no operation walks the cluster.
struct JobCluster: Sendable {
    struct Entry: Sendable {
        var sequence: UInt64
        var job: JobID
    }

    /// A job of the cluster, standing for all of them in matching.
    let representative: SchedulableJob
    private var entries: [Entry] = []
    private var head = 0

    init(representative: SchedulableJob) {
        self.representative = representative
    }

    var isEmpty: Bool { head == entries.count }

    /// The oldest entry, live or not.
    var first: Entry? { isEmpty ? nil : entries[head] }

    mutating func append(_ entry: Entry) {
        entries.append(entry)
    }

    /// Puts back a job whose assignment could not be delivered, ahead of the others.
    mutating func prepend(_ entry: Entry) {
        if head > 0 {
            head -= 1
            entries[head] = entry
        } else {
            entries.insert(entry, at: 0)
        }
    }

    mutating func removeFirst() {
        guard !isEmpty else { return }
        head += 1
        if head > 1024 && head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
    }
}
