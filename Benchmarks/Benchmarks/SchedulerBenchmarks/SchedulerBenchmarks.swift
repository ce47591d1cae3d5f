import Benchmark
import GridCore
import GridMatchmaker

// One matching decision among 10,000 worker ads offering 100 capabilities (issue 8 (f)): a job arrives and is placed
// on the best free worker offering its capability, then finishes, freeing the slot again. Target: ≤ 20 µs p50.
// Run from Benchmarks/:
//   swift package --allow-writing-to-package-directory benchmark --target SchedulerBenchmarks   (or `make bench`)

private let start = ContinuousClock.now
private let submitter = PeerID(publicKey: [UInt8](repeating: 9, count: 32))

private func peer(_ n: Int) -> PeerID {
    var key = [UInt8](repeating: 1, count: 32)
    withUnsafeBytes(of: UInt32(n).bigEndian) { key.replaceSubrange(28..<32, with: $0) }
    return PeerID(publicKey: key)
}

/// 10,000 single-slot workers; worker i offers cap.(i % 100) and cap.((i * 7 + 3) % 100).
private func grid() -> Scheduler {
    var scheduler = Scheduler()
    let attributes = WorkerAttributes(cores: 8, memoryGB: 16, os: "linux", arch: "x86_64", labels: ["zone": "eu"])
    for i in 0..<10_000 {
        let names = Set(["cap.\(i % 100)", "cap.\((i * 7 + 3) % 100)"]).sorted()
        let offers = names.map {
            CapabilityOffer(name: $0, version: SemanticVersion(1, 0, 0), description: "", cost: 1 + i % 5,
                            plugin: "p")
        }
        _ = scheduler.workerJoined(peer(i), ad: WorkerAd(capabilities: offers, attributes: attributes, slots: 1),
                                   now: start)
    }
    return scheduler
}

private func job(_ n: Int, requirements: MatchExpression? = nil) -> SchedulableJob {
    SchedulableJob(id: JobID("job-\(n)")!, submitter: submitter, capability: "cap.\(n % 100)",
                   versionRange: try! VersionRange(parsing: "^1"), labels: [:], timeoutSeconds: 60, maxCredits: 10,
                   requirements: requirements)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal],
        timeUnits: .microseconds,
        maxDuration: .seconds(3),
        maxIterations: 20_000
    )

    Benchmark("Scheduler: place one job among 10,000 ads (100 capabilities), then finish it") { benchmark in
        var scheduler = grid()
        var n = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            n += 1
            let directives = scheduler.jobSubmitted(job(n), now: start)
            guard case .assign(let id, let worker, let attempt, _)? = directives.first else { fatalError("not placed") }
            blackHole(scheduler.attemptFinished(id, attempt: attempt, by: worker, now: start))
        }
    }

    Benchmark("Scheduler: the same with a requirements expression") { benchmark in
        var scheduler = grid()
        let requirements = try! MatchExpression(parsing: "memory_gb >= 4 && labels.zone == \"eu\" && cores >= 2")
        var n = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            n += 1
            let directives = scheduler.jobSubmitted(job(n, requirements: requirements), now: start)
            guard case .assign(let id, let worker, let attempt, _)? = directives.first else { fatalError("not placed") }
            blackHole(scheduler.attemptFinished(id, attempt: attempt, by: worker, now: start))
        }
    }

    Benchmark("Scheduler: a job joins a queue 100,000 deep (no free worker)") { benchmark in
        var scheduler = Scheduler()
        for n in 0..<100_000 { _ = scheduler.jobSubmitted(job(n), now: start) }
        var n = 100_000
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            n += 1
            blackHole(scheduler.jobSubmitted(job(n), now: start))
        }
    }
}
