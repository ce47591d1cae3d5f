import GridCore

/// The smallest changes `grid explain` suggests: capability names close to a missing one, versions and label values
/// on offer, the least `maxCredits` a worker's policy takes. Pure.
enum ExplainSuggestions {
    /// "no worker offers hash.sha3; 2 offer hash.sha256": the offered names closest to `wanted` (same first segment,
    /// or at most 3 edits away), at most 3, with how many of `ads` offer each; the whole list (at most 20) when none
    /// is close.
    static func capability(_ wanted: String, among ads: [WorkerAd]) -> String {
        var offering: [String: Int] = [:]
        for ad in ads {
            for name in Set(ad.capabilities.map(\.name)) { offering[name, default: 0] += 1 }
        }
        guard !offering.isEmpty else { return "no worker offers \(wanted); no worker is connected" }
        let family = wanted.split(separator: ".").first.map(String.init) ?? wanted
        let close = offering.keys.map { (name: $0, distance: editDistance(wanted, $0)) }
            .filter { $0.distance <= 3 || $0.name.split(separator: ".").first.map(String.init) == family }
            .sorted { ($0.distance, $0.name) < ($1.distance, $1.name) }
            .prefix(3)
        guard !close.isEmpty else {
            let names = offering.keys.sorted()
            let shown = names.prefix(20).joined(separator: ", ") + (names.count > 20 ? ", …" : "")
            return "no worker offers \(wanted); capabilities on offer: \(shown)"
        }
        let parts = close.map { entry -> String in
            let count = offering[entry.name] ?? 0
            return "\(count) \(count == 1 ? "offers" : "offer") \(entry.name)"
        }
        return "no worker offers \(wanted); " + parts.joined(separator: ", ")
    }

    /// "versions on offer: 1.4.0 (2 workers), 1.5.0 (1 worker)" among `ads` for `capability`.
    static func versions(of capability: String, among ads: [WorkerAd]) -> String {
        var counts: [SemanticVersion: Int] = [:]
        for ad in ads {
            for version in Set(ad.capabilities.filter { $0.name == capability }.map(\.version)) {
                counts[version, default: 0] += 1
            }
        }
        let parts = counts.keys.sorted().map { "\($0) (\(workers(counts[$0] ?? 0)))" }
        return "versions on offer: " + parts.joined(separator: ", ")
    }

    /// "workers have zone=us (2), zone unset (1)" for each label the job asks for that `ads` do not all carry.
    static func labels(_ wanted: [String: String], among ads: [WorkerAd]) -> String {
        var parts: [String] = []
        for (key, value) in wanted.sorted(by: { $0.key < $1.key }) {
            var counts: [String: Int] = [:]
            for ad in ads where ad.attributes.labels[key] != value {
                counts[ad.attributes.labels[key].map { "\(key)=\($0)" } ?? "\(key) unset", default: 0] += 1
            }
            parts += counts.keys.sorted().map { "\($0) (\(counts[$0] ?? 0))" }
        }
        return "workers have " + parts.joined(separator: ", ")
    }

    /// The least `maxCredits` from which the worker's accept policy takes the job, all else equal; nil when no
    /// allowed value (up to `JobRequest.maxCredits`) makes it take it.
    static func leastCredits(accepting job: SchedulableJob, worker: ScheduledWorker) -> Int? {
        guard worker.acceptProblem == nil, let accept = worker.accept else { return nil }
        func takes(_ credits: Int) -> Bool {
            var priced = job
            priced.maxCredits = credits
            let context = Attributes.acceptContext(worker: worker.attributes, job: priced.attributes,
                                                   submitter: job.submitter.hex)
            return accept.match(context).isMatch
        }
        let ceiling = JobRequest.maxCredits
        guard job.maxCredits < ceiling, takes(ceiling) else { return nil }
        // Policies compare max_credits with a bound, so the least value that passes is found by bisection.
        var low = job.maxCredits
        var high = ceiling
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if takes(middle) { high = middle } else { low = middle }
        }
        return high
    }

    static func workers(_ count: Int) -> String {
        "\(count) worker\(count == 1 ? "" : "s")"
    }

    /// Levenshtein distance between two strings, by characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
