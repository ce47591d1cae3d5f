import Benchmark
import GridCore

// Expression benchmarks (issue 4): compile once, evaluate many. Target: a typical requirement over a typical ad
// in at most 500 ns per evaluation, with no allocation. Run from Benchmarks/:
//   swift package --allow-writing-to-package-directory benchmark --target ExpressionBenchmarks   (or `make bench`)

/// A typical worker ad, as the matchmaker builds it from a worker's advertisement.
private let worker: Attributes = [
    "cores": 8, "memory_gb": 16, "load": 0.25, "os": "linux", "arch": "x86_64", "slots_free": 2,
    "labels.gpu": "a100", "labels.zone": "eu-west", "labels.owner": "lab-3",
]

/// A typical job, under `job.`.
private let job: Attributes = ["capability": "hash.blake2b", "max_credits": 10, "labels.team": "ml"]

private let context = Attributes.requirementContext(
    worker: worker, job: job, submitter: "5f1c9a7e2b3d4c6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f")

private let typicalRequirement = "memory_gb >= 4 && labels.gpu in [\"a100\", \"h100\"] && os == \"linux\" && cores >= 2"

private func compiled(_ source: String) -> MatchExpression {
    do {
        return try MatchExpression(parsing: source)
    } catch {
        fatalError("benchmark expression does not parse: \(error)")
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        timeUnits: .nanoseconds,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 2_000
    )

    let requirement = compiled(typicalRequirement)
    Benchmark("Expression typical requirement (per 1000 evaluations)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(requirement.matches(context))
        }
    }

    let rank = compiled("-load")
    Benchmark("Expression rank -load (per 1000 evaluations)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(rank.rank(context))
        }
    }

    let accept = compiled("job.max_credits >= 5 && worker.slots_free > 0 && has(job.labels.team)")
    Benchmark("Expression accept policy (per 1000 evaluations)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(accept.matches(context))
        }
    }

    Benchmark("Expression compile typical requirement",
              configuration: .init(metrics: [.wallClock, .mallocCountTotal], scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(compiled(typicalRequirement))
        }
    }
}
