/// A small open-addressing hash table from attribute names to values, looked up with hashes computed in advance.
///
/// Compiled expressions hash their attribute paths once, at compile time, so a lookup costs one probe and one
/// string comparison instead of hashing the name again on every evaluation. The hash is FNV-1a with a per-process
/// random seed, so names chosen by a remote peer cannot be aimed at one bucket.
struct AttributeTable: Sendable {
    private struct Entry: Sendable {
        var key: String
        var hash: UInt64
        var value: Value
    }

    private static let seed = UInt64.random(in: 1...UInt64.max)

    private var entries: [Entry] = []
    /// Indexes into `entries`, or -1 for an empty slot; the count is a power of two at least twice `entries.count`.
    private var slots: [Int32] = []

    init() {}

    init(_ values: [String: Value]) {
        entries.reserveCapacity(values.count)
        for (key, value) in values where !value.isUndefined {
            entries.append(Entry(key: key, hash: Self.hash(key), value: value))
        }
        rebuildSlots()
    }

    var count: Int { entries.count }

    var keys: [String] { entries.map(\.key) }

    /// Every name and value, in no particular order.
    var pairs: [(key: String, value: Value)] { entries.map { (key: $0.key, value: $0.value) } }

    /// The hash `lookup` expects for `key`.
    static func hash(_ key: String) -> UInt64 {
        var h = seed ^ 0xCBF2_9CE4_8422_2325
        for byte in key.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return h ^ (h >> 29)
    }

    /// The value for `key`, whose hash is `hash`; nil when absent.
    func lookup(_ key: String, hash: UInt64) -> Value? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots[index]
            if slot < 0 { return nil }
            let entry = entries[Int(slot)]
            if entry.hash == hash && entry.key == key { return entry.value }
            index = (index + 1) & mask
        }
    }

    subscript(key: String) -> Value? {
        lookup(key, hash: Self.hash(key))
    }

    /// Sets or replaces a value; `.undefined` removes the name. Returns true when a name was removed.
    @discardableResult
    mutating func set(_ key: String, _ value: Value) -> Bool {
        let hash = Self.hash(key)
        let existing = entries.firstIndex { $0.hash == hash && $0.key == key }
        if value.isUndefined {
            guard let existing else { return false }
            entries.remove(at: existing)
            rebuildSlots()
            return true
        }
        if let existing {
            entries[existing].value = value
        } else {
            entries.append(Entry(key: key, hash: hash, value: value))
            if entries.count * 2 > slots.count { rebuildSlots() } else { insertSlot(Int32(entries.count - 1)) }
        }
        return false
    }

    private mutating func rebuildSlots() {
        var capacity = 8
        while capacity < entries.count * 2 { capacity *= 2 }
        slots = Array(repeating: -1, count: capacity)
        for index in entries.indices { insertSlot(Int32(index)) }
    }

    private mutating func insertSlot(_ entry: Int32) {
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: entries[Int(entry)].hash) & mask
        while slots[index] >= 0 { index = (index + 1) & mask }
        slots[index] = entry
    }
}

extension AttributeTable: Equatable {
    static func == (lhs: AttributeTable, rhs: AttributeTable) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.entries.allSatisfy { rhs.lookup($0.key, hash: $0.hash) == $0.value }
    }
}
