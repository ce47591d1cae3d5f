import Foundation
import GridClient
import GridCore
import GridCrypto
import Logging

/// The soak (`BENCH_SOAK=N`, `make soak`; docs/PERFORMANCE.md): N no-op jobs from four concurrent submitters, each
/// its own identity and `GridConnection`, pipelined with a bounded window, while the RSS of every process is sampled
/// about once a second. Fails when a process grows by more than `BENCH_SOAK_BOUND_MIB` from the 10% sample to the end.
extension EndToEndBenchmark {
    static let submitters = 4
    /// Where the RSS figures are reported, as fractions of the jobs finished; 0.1 is the baseline of the bound.
    static let milestones: [Double] = [0.1, 0.25, 0.5, 0.75, 1.0]

    /// One reading of every process's RSS, with how many jobs had finished.
    struct Sample {
        var finished: Int
        var rssKB: [String: Int]
    }

    /// Counts finished jobs across the submitters; read by the sampler.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func add(_ amount: Int) { lock.withLock { value += amount } }
        var current: Int { lock.withLock { value } }
    }

    /// The samples taken so far; written by the sampler.
    final class SampleLog: @unchecked Sendable {
        private let lock = NSLock()
        private var samples: [Sample] = []
        func append(_ sample: Sample) { lock.withLock { samples.append(sample) } }
        var all: [Sample] { lock.withLock { samples } }
        var count: Int { lock.withLock { samples.count } }
    }

    func soak(_ jobs: Int) async throws {
        let grid = try await BenchGrid.start(workers: [[Self.faults], [Self.faults]], settings: settings)
        do {
            try await soak(jobs, grid: grid)
        } catch {
            say("  stopped: \(error) The grid's logs are kept in \(grid.root).")
            await grid.stop(keepingLogs: true)
            throw error
        }
        await grid.stop(keepingLogs: settings.keep)
        if settings.keep { say("  kept: the grid's folder, \(grid.root) (BENCH_KEEP)") }
    }

    private static func sample(_ grid: BenchGrid, finished: Int) -> Sample {
        var rss: [String: Int] = [:]
        for (name, pid) in grid.processes() + [("client (grid-bench)", getpid())] {
            if let stats = ProcessStats.read(pid) { rss[name] = stats.rssKB }
        }
        return Sample(finished: finished, rssKB: rss)
    }

    private func soak(_ jobs: Int, grid: BenchGrid) async throws {
        let window = settings.window > 0 ? settings.window : 1_000
        let identities = (0..<Self.submitters).map { _ in Identity.generate() }
        let shares = (0..<Self.submitters).map { jobs / Self.submitters + ($0 < jobs % Self.submitters ? 1 : 0) }
        let counter = Counter()
        let start = Self.sample(grid, finished: 0)
        let started = ContinuousClock.now
        let log = SampleLog()
        let (samples, failed) = try await within("the soak") { [settings] in
            try await withThrowingTaskGroup(of: Int?.self) { group in
                for (identity, share) in zip(identities, shares) {
                    group.addTask {
                        try await Self.submitter(identity: identity, jobs: share, window: window,
                                                 batch: settings.batchSize, grid: grid, counter: counter)
                    }
                }
                // The sampler, about once a second; cancelled when the submitters have returned.
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(1))
                        let sample = Self.sample(grid, finished: counter.current)
                        log.append(sample)
                        // A progress line every ten samples.
                        if log.count % 10 == 0 {
                            say("  soak: \(sample.finished) jobs, matchmaker RSS "
                                  + "\((sample.rssKB["matchmaker"] ?? 0) / 1024) MiB")
                        }
                    }
                    return nil
                }
                var failed = 0
                var running = Self.submitters
                while running > 0, let next = try await group.next() {
                    if let count = next {
                        failed += count
                        running -= 1
                    }
                }
                group.cancelAll()
                return (log.all, failed)
            }
        }
        let elapsed = ProcessStats.seconds(ContinuousClock.now - started)
        // After the connections have closed.
        let end = Self.sample(grid, finished: jobs)
        try report(jobs: jobs, window: window, elapsed: elapsed, failed: failed, start: start, samples: samples,
                   end: end)
    }

    /// Submits `jobs` no-op jobs over its own connection, at most `window` in flight; returns how many did not succeed.
    private static func submitter(identity: Identity, jobs: Int, window: Int, batch: Int, grid: BenchGrid,
                                  counter: Counter) async throws -> Int {
        var configuration = GridConnection.Configuration()
        configuration.batchSize = batch
        var logger = Logger(label: "grid.bench.soak")
        logger.logLevel = .warning
        return try await GridConnection.withConnection(
            host: "127.0.0.1", port: grid.port, identity: identity, matchmaker: grid.matchmakerPeer,
            configuration: configuration, logger: logger
        ) { connection in
            try await withThrowingTaskGroup(of: Int.self) { group in
                let (finished, finishedOne) = AsyncStream<Void>.makeStream()
                group.addTask {
                    var seen = 0
                    var failed = 0
                    guard jobs > 0 else { return 0 }
                    for try await record in connection.results {
                        if record.status != .succeeded { failed += 1 }
                        finishedOne.yield()
                        counter.add(1)
                        seen += 1
                        if seen == jobs { break }
                    }
                    return failed
                }
                var inFlight = 0
                var results = finished.makeAsyncIterator()
                let step = max(1, min(batch, window / 4))
                for start in stride(from: 0, to: jobs, by: step) {
                    let count = min(step, jobs - start)
                    while inFlight + count > window, await results.next() != nil {
                        inFlight -= 1
                    }
                    let requests = (start..<start + count).map {
                        JobRequest(capability: Self.echo, input: Data("\($0)".utf8), maxCredits: 1)
                    }
                    try Self.checkAccepted(try await connection.submit(requests))
                    inFlight += count
                }
                return try await group.next() ?? 0
            }
        }
    }

    private func report(jobs: Int, window: Int, elapsed: Double, failed: Int, start: Sample, samples: [Sample],
                        end: Sample) throws {
        let bound = settings.soakBoundMiB
        say("")
        say("soak: \(jobs) no-op jobs from \(Self.submitters) submitters (own identity and connection each), "
              + "at most \(window) in flight each, RSS sampled every second (\(samples.count) samples)")
        say("  \(jobs) jobs in \(format(elapsed)) s: \(Int(Double(jobs) / elapsed)) jobs/s"
              + (failed > 0 ? " (\(failed) did not succeed)" : ""))
        // The first sample at or past each milestone; the last sample stands in when none reached it.
        let marks = Self.milestones.map { fraction in
            samples.first { Double($0.finished) >= fraction * Double(jobs) } ?? samples.last ?? end
        }
        let names = end.rssKB.keys.sorted { lhs, rhs in
            lhs == "matchmaker" ? rhs != "matchmaker" : (rhs == "matchmaker" ? false : lhs < rhs)
        }
        func mib(_ kb: Int?) -> String { kb.map { String(format: "%.1f", Double($0) / 1024) } ?? "-" }
        say("  RSS in MiB     process: start | 10% | 25% | 50% | 75% | 100% | end | growth per 10,000 jobs "
              + "(10% to 100%) | growth 10% to end")
        var over: [String] = []
        for name in names {
            let row = [start] + marks + [end]
            let cells = row.map { mib($0.rssKB[name]) }.joined(separator: " | ")
            let base = marks[0]
            var perTenThousand = "-"
            if let from = base.rssKB[name], let to = marks[4].rssKB[name], marks[4].finished > base.finished {
                perTenThousand = String(format: "%.2f", Double(to - from) / 1024 * 10_000
                                        / Double(marks[4].finished - base.finished))
            }
            var growth = "-"
            if let from = base.rssKB[name], let to = end.rssKB[name] {
                growth = mib(to - from)
                if to - from > bound * 1024 { over.append("\(name) grew \(mib(to - from)) MiB") }
            }
            say("  \(name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(cells) | \(perTenThousand) | \(growth)")
        }
        say("  bound: no process may grow more than \(bound) MiB from the 10% sample to the end (BENCH_SOAK_BOUND_MIB)")
        guard over.isEmpty else {
            throw BenchError("The soak's memory bound of \(bound) MiB was exceeded: "
                             + over.joined(separator: ", ") + ".")
        }
        guard failed == 0 else { throw BenchError("\(failed) of \(jobs) soak jobs did not succeed.") }
        say("  within the bound")
    }
}
