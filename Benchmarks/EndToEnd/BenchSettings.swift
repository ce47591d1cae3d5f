import Foundation

/// What the end-to-end benchmark runs, read from the environment so a quick run is one line:
/// `BENCH_JOBS=1000 BENCH_ROUNDTRIPS=200 BENCH_BACKLOG=2000 make bench-e2e`.
struct BenchSettings {
    /// (a), (c), (d): jobs measured per run.
    var jobs = 10_000
    /// (b): sequential submit-then-result round trips.
    var roundTrips = 2_000
    /// (d): jobs queued behind; 0 skips (d).
    var backlog = 100_000
    /// Submissions per frame.
    var batchSize = 500
    /// (a), (c), (d): the most jobs in flight (submitted, result not yet back); 0 submits them all at once.
    var window = 0
    /// The most one phase may take before the benchmark gives up on it, in seconds.
    var phaseLimit = 600.0
    /// GRID_LOG_LEVEL for the grid's processes; nil keeps each one's default (info for matchmaker and workers).
    var logLevel: String?
    /// Jobs in the soak (`BENCH_SOAK`); 0 runs the measurements (a) to (d) instead.
    var soak = 0
    /// The most any process's RSS may grow in the soak, from the 10% sample to the end, in MiB.
    var soakBoundMiB = 64
    /// Which phases run: any of a, b, c, d.
    var phases: Set<Character> = ["a", "b", "c", "d"]
    /// Whether the workers keep a ledger replica, as they do by default (`BENCH_REPLICAS=0` passes `--no-replica`:
    /// on this 2-core machine a replica verifying a deep backlog's escrows competes with the matchmaker for CPU).
    var replicas = true
    /// Whether the workers run plugins in their own process (`BENCH_IN_PROCESS=1` passes `--in-process`), to measure
    /// what the runner processes of plugin isolation cost; off by default, as on a real worker.
    var inProcess = false
    /// Whether the grid's folder (homes, ledger files, logs) is kept after a run that passed (`BENCH_KEEP=1`), to verify
    /// the ledger a real matchmaker wrote (docs/PERFORMANCE.md).
    var keep = false

    static func fromEnvironment() throws -> BenchSettings {
        let env = ProcessInfo.processInfo.environment
        var settings = BenchSettings()
        func number(_ name: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let text = env[name], !text.isEmpty else { return nil }
            guard let value = Int(text), range.contains(value) else {
                throw BenchError("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), "
                                 + "got '\(text)'.")
            }
            return value
        }
        settings.jobs = try number("BENCH_JOBS", 1...1_000_000) ?? settings.jobs
        settings.roundTrips = try number("BENCH_ROUNDTRIPS", 1...1_000_000) ?? settings.roundTrips
        settings.backlog = try number("BENCH_BACKLOG", 0...1_000_000) ?? settings.backlog
        settings.batchSize = try number("BENCH_BATCH", 1...10_000) ?? settings.batchSize
        settings.window = try number("BENCH_WINDOW", 0...1_000_000) ?? settings.window
        settings.phaseLimit = Double(try number("BENCH_PHASE_LIMIT", 1...86_400) ?? Int(settings.phaseLimit))
        settings.soak = try number("BENCH_SOAK", 0...4_000_000) ?? settings.soak
        settings.soakBoundMiB = try number("BENCH_SOAK_BOUND_MIB", 1...65_536) ?? settings.soakBoundMiB
        // A soak runs long: it gets an hour unless BENCH_PHASE_LIMIT says otherwise.
        if settings.soak > 0, env["BENCH_PHASE_LIMIT"]?.isEmpty ?? true { settings.phaseLimit = 3_600 }
        settings.logLevel = env["BENCH_LOG_LEVEL"].flatMap { $0.isEmpty ? nil : $0 }
        settings.replicas = try number("BENCH_REPLICAS", 0...1).map { $0 == 1 } ?? settings.replicas
        settings.inProcess = try number("BENCH_IN_PROCESS", 0...1).map { $0 == 1 } ?? settings.inProcess
        settings.keep = try number("BENCH_KEEP", 0...1).map { $0 == 1 } ?? settings.keep
        if let text = env["BENCH_PHASES"], !text.isEmpty {
            settings.phases = Set(text.lowercased().filter { "abcd".contains($0) })
        }
        // Every job escrows one credit and the grant is at most 1,000,000 per peer.
        guard settings.soak > 0 || settings.jobs + settings.backlog <= 1_000_000 else {
            throw BenchError("BENCH_JOBS + BENCH_BACKLOG must be at most 1,000,000 (the largest grant).")
        }
        return settings
    }
}
