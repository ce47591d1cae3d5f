import Foundation

/// Counts of a batch as its results arrive, and how they are shown: a bar redrawn in place on a terminal, plain
/// lines otherwise. Time is passed in, so it does no I/O.
struct ProgressMeter {
    let total: Int
    let started: ContinuousClock.Instant
    private(set) var succeeded = 0
    private(set) var failed = 0

    init(total: Int, started: ContinuousClock.Instant) {
        self.total = total
        self.started = started
    }

    var done: Int { succeeded + failed }

    mutating func record(succeeded ok: Bool) {
        if ok { succeeded += 1 } else { failed += 1 }
    }

    /// Jobs finished per second since the start.
    func rate(now: ContinuousClock.Instant) -> Double {
        let seconds = Self.seconds(now - started)
        return seconds > 0 ? Double(done) / seconds : 0
    }

    /// Seconds left at the current rate; nil before the first result.
    func secondsLeft(now: ContinuousClock.Instant) -> Double? {
        let rate = rate(now: now)
        guard done > 0, rate > 0 else { return nil }
        return Double(total - done) / rate
    }

    /// `120/200 done, 3 failed, 35.1 jobs/s, about 2 s left`.
    func summary(now: ContinuousClock.Instant) -> String {
        var text = "\(done)/\(total) done, \(failed) failed, \(Self.format(rate: rate(now: now))) jobs/s"
        if done < total {
            text += ", " + (secondsLeft(now: now).map { "about \(Self.format(duration: $0)) left" } ?? "waiting")
        } else {
            text += ", \(Self.format(duration: Self.seconds(now - started))) in all"
        }
        return text
    }

    /// `[#########...........] 120/200 done, 3 failed, 35.1 jobs/s, about 2 s left`, cut to `width` columns.
    func bar(now: ContinuousClock.Instant, width: Int = 80) -> String {
        let cells = 20
        let filled = total > 0 ? min(cells, done * cells / total) : cells
        let line = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: cells - filled) + "] "
            + summary(now: now)
        return String(line.prefix(max(cells + 3, width)))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// `35.1` below 100, `1234` above.
    static func format(rate: Double) -> String {
        rate < 100 ? String(format: "%.1f", rate) : String(Int(rate.rounded()))
    }

    /// `0.4 s`, `12 s`, `3 min 20 s`, `2 h 5 min`.
    static func format(duration seconds: Double) -> String {
        if seconds < 10 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole) s" }
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3600) h \(whole % 3600 / 60) min"
    }
}
