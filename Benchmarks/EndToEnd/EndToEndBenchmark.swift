import Foundation
import GridClient
import GridCore
import GridCrypto
import Logging

/// The end-to-end benchmark (`make bench-e2e`; docs/PERFORMANCE.md): a release-built matchmaker and two
/// single-slot workers as child processes on loopback, a no-op C plugin, and load through the `GridConnection`
/// API. Prints one block per measurement.
@main
struct EndToEndBenchmark {
    static let faults = "libGridTestPluginFaultsC.so"
    static let rot13 = "libGridPluginRot13.so"
    static let echo = "faults.echo"

    let settings: BenchSettings
    let identity = Identity.generate()

    static func main() async {
        do {
            let benchmark = EndToEndBenchmark(settings: try BenchSettings.fromEnvironment())
            try await benchmark.run()
        } catch {
            FileHandle.standardError.write(Data("grid-bench: \(error)\n".utf8))
            exit(1)
        }
    }

    func run() async throws {
        if settings.soak > 0 {
            say("grid-bench: soak of \(settings.soak) jobs, batch \(settings.batchSize), "
                  + "log level \(settings.logLevel ?? "default"), products \(BenchGrid.products)")
            try await soak(settings.soak)
            return
        }
        say("grid-bench: jobs \(settings.jobs), round trips \(settings.roundTrips), backlog \(settings.backlog), "
              + "batch \(settings.batchSize), window \(settings.window > 0 ? "\(settings.window)" : "none"), "
              + "log level \(settings.logLevel ?? "default"), "
              + "replicas \(settings.replicas ? "on" : "off"), "
              + "plugins \(settings.inProcess ? "in the workers" : "in runner processes"), "
              + "products \(BenchGrid.products)")
        var stopped = 0
        if settings.phases.contains("a") || settings.phases.contains("b") {
            stopped += try await withGrid([[Self.faults], [Self.faults]]) { grid in
                if settings.phases.contains("a") {
                    try await pipelined("(a) no-op jobs pipelined", grid: grid, capabilities: [Self.echo])
                }
                if settings.phases.contains("b") {
                    try await roundTrips(grid: grid)
                }
            }
        }
        if settings.phases.contains("c") {
            stopped += try await withGrid([[Self.faults], [Self.rot13]]) { grid in
                try await pipelined("(c) alternating faults.echo (worker-1 only) and text.rot13 (worker-2 only)",
                                    grid: grid, capabilities: [Self.echo, "text.rot13"])
            }
        }
        if settings.phases.contains("d"), settings.backlog > 0 {
            let nobody = JobRequest(capability: "bench.nobody", input: Data(), maxCredits: 1,
                                    queueTimeoutSeconds: JobRequest.maxQueueTimeoutSeconds)
            stopped += try await withGrid([[Self.faults], [Self.faults]]) { grid in
                try await queueBacklog(nobody, grid: grid, what: "for capability bench.nobody, which nobody offers")
                try await pipelined("(d) no-op jobs pipelined, backlog for a capability nobody offers", grid: grid,
                                    capabilities: [Self.echo])
            }
            // Offered, but asking for more cores than any worker has: they stay queued, and placement must look
            // past them.
            let unmatched = JobRequest(capability: Self.echo, input: Data(), maxCredits: 1,
                                       requirements: "worker.cores >= 100000",
                                       queueTimeoutSeconds: JobRequest.maxQueueTimeoutSeconds)
            stopped += try await withGrid([[Self.faults], [Self.faults]]) { grid in
                try await queueBacklog(unmatched, grid: grid,
                                       what: "for faults.echo, which the workers offer, requiring 100000 cores")
                try await pipelined("(d) no-op jobs pipelined, backlog for an offered capability", grid: grid,
                                    capabilities: [Self.echo])
            }
        }
        guard stopped == 0 else { throw BenchError("\(stopped) grid(s) stopped before their measurements ended.") }
    }

    /// Runs `body` with a fresh grid of `workers`; a measurement that fails or runs out of time is reported and the
    /// benchmark goes on with the next grid. Returns 1 when that happened, else 0.
    private func withGrid(_ workers: [[String]], _ body: (BenchGrid) async throws -> Void) async throws -> Int {
        let grid = try await BenchGrid.start(workers: workers, settings: settings)
        do {
            try await body(grid)
        } catch {
            say("")
            say("  stopped: \(error) The grid's logs are kept in \(grid.root).")
            await grid.stop(keepingLogs: true)
            return 1
        }
        await grid.stop(keepingLogs: settings.keep)
        if settings.keep { say("  kept: the grid's folder, \(grid.root) (BENCH_KEEP)") }
        return 0
    }

    private func connect<R: Sendable>(_ grid: BenchGrid, _ body: (GridConnection) async throws -> R) async throws -> R {
        var configuration = GridConnection.Configuration()
        configuration.batchSize = settings.batchSize
        var logger = Logger(label: "grid.bench")
        logger.logLevel = .warning
        return try await GridConnection.withConnection(host: "127.0.0.1", port: grid.port, identity: identity,
                                                       matchmaker: grid.matchmakerPeer, configuration: configuration,
                                                       logger: logger, body)
    }

    /// Throws, with the first reason, when any submission was refused.
    static func checkAccepted(_ answers: [SubmissionAnswer]) throws {
        let refusals = answers.compactMap { answer -> String? in
            if case .refused(_, let reason) = answer { return reason }
            return nil
        }
        guard let first = refusals.first else { return }
        throw BenchError("\(refusals.count) of \(answers.count) submissions were refused, the first because: \(first)")
    }

    /// Signed before any clock starts, as `GridConnection.submit` signs a batch: its escrows under one signature per
    /// `GridClient.escrowBatchSize` (docs/ledger.md, "Batch signatures").
    private func sign(_ requests: [JobRequest]) throws -> [Submission] {
        try GridClient.submissions(for: requests, signedBy: identity)
    }

    /// Signed one by one, as a client that submits one job at a time signs: a plain signature each.
    private func signEach(_ requests: [JobRequest]) throws -> [Submission] {
        try requests.map { try GridClient.submission(for: $0, signedBy: identity) }
    }

    /// Runs `body`, or throws when it takes longer than `BENCH_PHASE_LIMIT`.
    func within<R: Sendable>(_ what: String,
                                     _ body: @escaping @Sendable () async throws -> R) async throws -> R {
        let limit = Duration.milliseconds(Int(settings.phaseLimit * 1000))
        return try await withThrowingTaskGroup(of: R?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            guard let first else {
                throw BenchError("\(what) did not finish within \(Int(settings.phaseLimit)) s (BENCH_PHASE_LIMIT).")
            }
            return first
        }
    }

    /// Submits `jobs` no-op jobs (cycling through `capabilities`) at once and waits for every result.
    private func pipelined(_ title: String, grid: BenchGrid, capabilities: [String]) async throws {
        let submissions = try sign((0..<settings.jobs).map {
            JobRequest(capability: capabilities[$0 % capabilities.count], input: Data("\($0)".utf8), maxCredits: 1)
        })
        let before = grid.processes().map { ($0.name, ProcessStats.read($0.pid)) }
        let clientBefore = ProcessStats.selfCPUMicros()
        let started = ContinuousClock.now
        let window = settings.window
        let batch = settings.batchSize
        let failed = try await connect(grid) { connection in
            try await within(title) {
                try await withThrowingTaskGroup(of: Int.self) { group in
                    let count = submissions.count
                    // One element per result, so the submitter knows how many jobs are in flight.
                    let (finished, finishedOne) = AsyncStream<Void>.makeStream()
                    group.addTask {
                        var seen = 0
                        var failed = 0
                        for try await record in connection.results {
                            if record.status != .succeeded { failed += 1 }
                            finishedOne.yield()
                            seen += 1
                            if seen == count { break }
                        }
                        return failed
                    }
                    var inFlight = 0
                    var results = finished.makeAsyncIterator()
                    // Quarter-window chunks keep the pipe full while the oldest results come back.
                    let step = window > 0 ? max(1, min(batch, window / 4)) : count
                    for start in stride(from: 0, to: count, by: step) {
                        let chunk = Array(submissions[start..<min(start + step, count)])
                        while window > 0, inFlight + chunk.count > window, await results.next() != nil {
                            inFlight -= 1
                        }
                        let answers = try await connection.submit(chunk)
                        try Self.checkAccepted(answers)
                        inFlight += chunk.count
                    }
                    return try await group.next() ?? 0
                }
            }
        }
        let elapsed = ProcessStats.seconds(ContinuousClock.now - started)
        let clientCPU = ProcessStats.selfCPUMicros() - clientBefore
        let after = grid.processes().map { ($0.name, ProcessStats.read($0.pid)) }
        say("")
        say(title + (window > 0 ? ", at most \(window) in flight" : ", all submitted at once"))
        say("  \(settings.jobs) jobs in \(format(elapsed)) s: \(Int(Double(settings.jobs) / elapsed)) jobs/s"
              + (failed > 0 ? " (\(failed) did not succeed)" : ""))
        report(before: before, after: after, clientCPU: clientCPU, jobs: settings.jobs)
    }

    /// One job at a time: submit, then wait for its result, `roundTrips` times.
    private func roundTrips(grid: BenchGrid) async throws {
        let submissions = try signEach((0..<settings.roundTrips).map {
            JobRequest(capability: Self.echo, input: Data("\($0)".utf8), maxCredits: 1)
        })
        let samples: [Duration] = try await connect(grid) { connection in
            try await within("(b) round trips") {
                var results = connection.results.makeAsyncIterator()
                var samples: [Duration] = []
                samples.reserveCapacity(submissions.count)
                for submission in submissions {
                    let started = ContinuousClock.now
                    _ = try await connection.submit([submission])
                    guard let record = try await results.next(), record.id == submission.id else {
                        throw BenchError("A round trip's result did not arrive.")
                    }
                    samples.append(ContinuousClock.now - started)
                }
                return samples
            }
        }
        let summary = LatencySummary(samples)
        say("")
        say("(b) sequential submit-then-result round trips")
        say("  \(samples.count) round trips: p50 \(summary.micros(50)) µs, p90 \(summary.micros(90)) µs, "
              + "p99 \(summary.micros(99)) µs")
    }

    /// Queues `backlog` copies of `request` that no worker will take, before a pipelined run.
    private func queueBacklog(_ request: JobRequest, grid: BenchGrid, what: String) async throws {
        let submissions = try sign(Array(repeating: request, count: settings.backlog))
        let started = ContinuousClock.now
        try await connect(grid) { connection in
            try await within("queueing the backlog") {
                try Self.checkAccepted(try await connection.submit(submissions))
            }
        }
        let elapsed = ProcessStats.seconds(ContinuousClock.now - started)
        say("")
        say("  queued \(settings.backlog) jobs \(what) in \(format(elapsed)) s "
              + "(\(Int(Double(settings.backlog) / elapsed)) submissions/s)")
    }

    /// (e): CPU per job of each process over a run, and its memory at the end.
    private func report(before: [(String, ProcessStats?)], after: [(String, ProcessStats?)], clientCPU: Int64,
                        jobs: Int) {
        let start = Dictionary(before.compactMap { name, stats in stats.map { (name, $0) } },
                               uniquingKeysWith: { first, _ in first })
        var total: Int64 = 0
        for (name, stats) in after {
            guard let stats else { continue }
            let used = stats.cpuMicros - (start[name]?.cpuMicros ?? 0)
            total += used
            let perJob = Double(used) / Double(jobs)
            say("  (e) \(name.padding(toLength: 20, withPad: " ", startingAt: 0)) CPU \(format(perJob)) µs/job, "
                  + "RSS \(stats.rssKB / 1024) MiB (peak \(stats.peakRSSKB / 1024) MiB)")
        }
        say("  (e) client (grid-bench)  CPU \(format(Double(clientCPU) / Double(jobs))) µs/job")
        say("  (e) grid processes, all  CPU \(format(Double(total) / Double(jobs))) µs/job "
              + "(counted in 10 ms clock ticks: one tick is \(format(10_000 / Double(jobs))) µs/job)")
    }

    func format(_ value: Double) -> String {
        String(format: value < 10 ? "%.2f" : "%.0f", value)
    }
}

extension ProcessStats {
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// Writes a line to stdout at once (unbuffered even into a pipe or file), so a long run shows each figure as it is
/// measured.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
