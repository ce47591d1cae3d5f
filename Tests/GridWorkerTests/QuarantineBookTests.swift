import GridCore
import GridWorker
import Testing

/// The quarantine rule, driven with made-up instants.
struct QuarantineBookTests {
    static let t0 = ContinuousClock.now

    @Test("five crashes within a minute quarantine a plugin, with the count and the last reason")
    func fiveCrashesInAMinute() throws {
        var book = QuarantineBook()
        for second in 0..<4 {
            let entry = book.recordCrash(plugin: "p", capabilities: ["p.b", "p.a"], lastReason: "x",
                                         now: Self.t0 + .seconds(second * 10), unixMillis: 0)
            #expect(entry == nil)
        }
        let fifth = book.recordCrash(plugin: "p", capabilities: ["p.b", "p.a"],
                                     lastReason: "The plugin p crashed with SIGSEGV while running p.a.",
                                     now: Self.t0 + .seconds(50), unixMillis: 1234)
        #expect(fifth == QuarantinedPlugin(
            plugin: "p", capabilities: ["p.a", "p.b"],
            reason: "its runners crashed 5 times within 60 s; the last time: The plugin p crashed with SIGSEGV while "
                + "running p.a.",
            since: 1234))
        #expect(book.isQuarantined("p"))
        #expect(!book.isQuarantined("q"))
        let again = book.recordCrash(plugin: "p", capabilities: [], lastReason: "x", now: Self.t0 + .seconds(51),
                                     unixMillis: 0)
        #expect(again == nil)
    }

    @Test("crashes spread wider than the window never quarantine")
    func slowCrashesDoNot() {
        var book = QuarantineBook(policy: .init(crashes: 3, window: .seconds(10)))
        for second in stride(from: 0, to: 100, by: 6) {
            let entry = book.recordCrash(plugin: "p", capabilities: [], lastReason: "x",
                                         now: Self.t0 + .seconds(second), unixMillis: 0)
            #expect(entry == nil)
        }
        #expect(!book.isQuarantined("p"))
    }

    @Test("crashes of different plugins are counted apart")
    func perPlugin() {
        var book = QuarantineBook(policy: .init(crashes: 2, window: .seconds(60)))
        let a1 = book.recordCrash(plugin: "a", capabilities: [], lastReason: "x", now: Self.t0, unixMillis: 0)
        let b1 = book.recordCrash(plugin: "b", capabilities: [], lastReason: "x", now: Self.t0, unixMillis: 0)
        let a2 = book.recordCrash(plugin: "a", capabilities: [], lastReason: "x", now: Self.t0, unixMillis: 0)
        #expect(a1 == nil && b1 == nil && a2 != nil)
        #expect(book.quarantined.keys.sorted() == ["a"])
    }
}
