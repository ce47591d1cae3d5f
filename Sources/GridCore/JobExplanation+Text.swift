/// `grid explain` for people: clause by clause for a waiting job, then every attempt.
extension JobExplanation {
    /// How many ruled-out workers the text names per clause; `--json` names them all.
    public static let workersShownPerClause = 10

    /// The explanation as lines of text, the same for the same explanation (times in UTC).
    public var text: String {
        var lines = [headline, "It asks for \(capability) at version \(version)."]
        if let waiting {
            lines.append("")
            lines += Self.lines(for: waiting)
        }
        lines.append("")
        lines += attemptLines
        return lines.joined(separator: "\n")
    }

    private var headline: String {
        switch status {
        case .queued:
            if let waiting { return "Job \(job) is queued: \(waiting.summary)." }
            return "Job \(job) is queued."
        case .running:
            let current = attempts.filter { $0.endedAt == nil }
            guard let first = current.first else { return "Job \(job) is running." }
            guard current.count == 1, first.run == nil else {
                let workers = current.map(\.worker.short).joined(separator: ", ")
                return "Job \(job) is running: \(current.count) \(current.count == 1 ? "run" : "runs") on \(workers)."
            }
            return "Job \(job) is running: attempt \(first.attempt) on worker \(first.worker.short)."
        case .succeeded:
            return "Job \(job) succeeded."
        case .failed:
            return "Job \(job) failed" + (message.map { ": \($0)" } ?? "") + "."
        case .cancelled:
            return "Job \(job) was cancelled."
        }
    }

    private static func lines(for waiting: Waiting) -> [String] {
        var lines = ["\(waiting.connected) \(waiting.connected == 1 ? "worker is" : "workers are") connected."]
        guard waiting.connected > 0 else { return lines }
        var rows = [["STEP", "CLAUSE", "RULES OUT", "LEFT"]]
        for (index, clause) in waiting.clauses.enumerated() {
            rows.append(["\(index + 1)", clause.condition, "\(clause.ruledOut.count)", "\(clause.left)"])
        }
        lines += table(rows)
        let position = waiting.fairShare
        lines.append("Fair share: \(count(position.jobsAhead, "queued job")) ahead of it for the same workers, in "
            + "\(count(position.clustersAhead, "cluster")); its submitter's recent usage is "
            + "\(decimal(position.usage)) placements.")
        let ruledOut = waiting.clauses.filter { !$0.ruledOut.isEmpty }
        if !ruledOut.isEmpty {
            lines += ["", "Ruled out:"]
            for clause in ruledOut {
                for entry in clause.ruledOut.prefix(workersShownPerClause) {
                    lines.append("  \(entry.worker)  \(clause.name): \(entry.reason)")
                }
                if clause.ruledOut.count > workersShownPerClause {
                    lines.append("  … and \(clause.ruledOut.count - workersShownPerClause) more (--json lists all)")
                }
            }
        }
        let suggestions = waiting.clauses.compactMap { clause in clause.suggestion.map { (clause.name, $0) } }
        if !suggestions.isEmpty {
            lines += ["", "What would let it run:"]
            lines += suggestions.map { "  \($0.0): \($0.1)" }
        }
        return lines
    }

    private var attemptLines: [String] {
        guard !attempts.isEmpty else { return ["No attempts yet."] }
        let reasons = attempts.contains { !($0.reason ?? "").isEmpty }
        let runs = attempts.contains { $0.run != nil }
        let header = ["ATTEMPT", "WORKER", "STARTED", "ENDED", "OUTCOME", "OUTPUT SHA-256"]
        var rows = [(runs ? ["RUN"] : []) + header + (reasons ? ["REASON"] : [])]
        for attempt in attempts {
            rows.append((runs ? [attempt.run.map(String.init) ?? "-"] : []) + [
                "\(attempt.attempt)", attempt.worker.short, Self.time(attempt.startedAt),
                attempt.endedAt.map(Self.time) ?? "-", attempt.outcome?.rawValue ?? "running",
                attempt.outputDigest.map { String($0.prefix(16)) } ?? "-",
            ] + (reasons ? [attempt.reason ?? ""] : []))
        }
        return ["Attempts:"] + Self.table(rows)
    }

    /// Rows with aligned columns, two spaces apart; the last column is not padded.
    private static func table(_ rows: [[String]]) -> [String] {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in
            rows.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0
        }
        return rows.map { row in
            row.indices.map { column in
                column == row.count - 1 ? row[column] : pad(row[column], to: widths[column])
            }.joined(separator: "  ").trimmingTrailingSpaces
        }
    }

    private static func pad(_ text: String, to width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }

    private static func count(_ n: Int, _ noun: String) -> String {
        "\(n) \(noun)\(n == 1 ? "" : "s")"
    }

    /// `value` with one decimal.
    private static func decimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }

    /// Unix milliseconds as `2026-11-30 10:00:01.250` (UTC).
    static func time(_ millis: Int64) -> String {
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let milliseconds = Int(millis - seconds * 1000)
        var days = Int(seconds / 86_400)
        var rest = Int(seconds - Int64(days) * 86_400)
        if rest < 0 {
            rest += 86_400
            days -= 1
        }
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let millisText = String(repeating: "0", count: 3 - "\(milliseconds)".count) + "\(milliseconds)"
        return "\(year)-\(two(month))-\(two(day)) \(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60))."
            + millisText
    }
}

extension String {
    fileprivate var trimmingTrailingSpaces: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
