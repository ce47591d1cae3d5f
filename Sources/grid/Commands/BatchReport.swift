import Foundation
import GridCore

/// Shows a batch as its results arrive: a line per job on stdout (JSON with `--json`), and progress: a bar redrawn
/// in place when stdout is a terminal, else a plain line on stderr now and then and a summary at the end.
///
/// Called from the task reading results and from a timer, so its state is behind a lock.
final class BatchReport: @unchecked Sendable {
    private let lock = NSLock()
    private var meter: ProgressMeter
    private let json: Bool
    private let terminal: Bool
    private var lastProgress: ContinuousClock.Instant
    /// Whether a bar is drawn on the current line, to be erased before the next line.
    private var barShown = false

    init(total: Int, json: Bool, terminal: Bool, now: ContinuousClock.Instant = .now) {
        meter = ProgressMeter(total: total, started: now)
        self.json = json
        self.terminal = terminal
        lastProgress = now
    }

    /// How often the timer redraws: often on a terminal, a plain line every few seconds otherwise.
    var redrawInterval: Duration { terminal ? .milliseconds(200) : .seconds(5) }

    var counts: (total: Int, done: Int, failed: Int) {
        lock.withLock { (meter.total, meter.done, meter.failed) }
    }

    func refused(_ id: JobID, source: String, reason: String) {
        lock.withLock {
            meter.record(succeeded: false)
            if json {
                let line = RefusedLine(job: id.rawValue, status: "refused", message: reason, source: source)
                emit(JobPresentation.json(line))
            } else {
                emit("\(id) refused \(source) \(reason)")
            }
        }
    }

    func finished(_ record: JobRecord, source: String) {
        lock.withLock {
            meter.record(succeeded: record.status == .succeeded)
            if json {
                emit(JobPresentation.json(JobPresentation(record, source: source)))
            } else {
                let detail = record.status == .succeeded
                    ? JobPresentation.excerpt(record, width: 60)
                    : JobPresentation.cut(record.message ?? "no reason given", 200)
                emit("\(record.id) \(record.status.rawValue) \(source) \(detail)")
            }
            if terminal { drawBar(now: .now) }
        }
    }

    /// Redraws the bar on a terminal; prints a plain progress line elsewhere.
    func redraw() {
        lock.withLock {
            let now = ContinuousClock.now
            if terminal {
                drawBar(now: now)
            } else if meter.done < meter.total {
                progressLine("progress: " + meter.summary(now: now))
            }
            lastProgress = now
        }
    }

    /// The final state: the bar left on its line, or a summary line on stderr.
    func end() {
        lock.withLock {
            let now = ContinuousClock.now
            if terminal {
                drawBar(now: now)
                FileHandle.standardOutput.write(Data("\n".utf8))
                barShown = false
            } else {
                progressLine("submitted \(meter.total) jobs: " + meter.summary(now: now))
            }
        }
    }

    private struct RefusedLine: Encodable {
        var job: String
        var status: String
        var message: String
        var source: String
    }

    /// One result line on stdout, above the bar when one is drawn.
    private func emit(_ line: String) {
        let erase = barShown ? "\r\u{1B}[K" : ""
        barShown = false
        FileHandle.standardOutput.write(Data((erase + line + "\n").utf8))
    }

    private func drawBar(now: ContinuousClock.Instant) {
        FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + meter.bar(now: now, width: Self.columns())).utf8))
        barShown = true
    }

    private func progressLine(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// The terminal's width, 80 when it cannot be told.
    private static func columns() -> Int {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col) - 1
    }
}
