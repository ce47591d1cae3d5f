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

/// Holds the scheduler by reference, so the benchmark closure never copies its tables (a copy of a value type
/// holding 100,000 jobs would be paid on the next mutation, inside the measurement).
private final class Fixture: @unchecked Sendable {
    var scheduler: Scheduler
    var next = 0

    init(_ scheduler: Scheduler, next: Int = 0) {
        self.scheduler = scheduler
        self.next = next
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal],
        timeUnits: .microseconds,
        scalingFactor: .kilo,
        maxDuration: .seconds(5),
        maxIterations: 200
    )

    let ads = Fixture(grid())
    Benchmark("Scheduler: place one job among 10,000 ads (100 capabilities), then finish it (per 1000)") { benchmark in
        for _ in benchmark.scaledIterations {
            ads.next += 1
            let directives = ads.scheduler.jobSubmitted(job(ads.next), now: start)
            guard case .assign(let id, let worker, let attempt, _)? = directives.first else { fatalError("not placed") }
            blackHole(ads.scheduler.attemptFinished(id, attempt: attempt, by: worker, now: start))
        }
    }

    let requirements = try! MatchExpression(parsing: "memory_gb >= 4 && labels.zone == \"eu\" && cores >= 2")
    Benchmark("Scheduler: the same with a requirements expression (per 1000)") { benchmark in
        for _ in benchmark.scaledIterations {
            ads.next += 1
            let directives = ads.scheduler.jobSubmitted(job(ads.next, requirements: requirements), now: start)
            guard case .assign(let id, let worker, let attempt, _)? = directives.first else { fatalError("not placed") }
            blackHole(ads.scheduler.attemptFinished(id, attempt: attempt, by: worker, now: start))
        }
    }

    let deep = Fixture(Scheduler(), next: 100_000)
    for n in 0..<100_000 { _ = deep.scheduler.jobSubmitted(job(n), now: start) }
    Benchmark("Scheduler: a job joins a queue 100,000 deep, no free worker (per 1000)") { benchmark in
        for _ in benchmark.scaledIterations {
            deep.next += 1
            blackHole(deep.scheduler.jobSubmitted(job(deep.next), now: start))
        }
    }
}
