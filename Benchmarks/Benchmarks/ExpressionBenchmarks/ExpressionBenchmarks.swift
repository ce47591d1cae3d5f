import Benchmark

// Placeholder so the benchmark package builds; the expression engineer replaces this file.
let benchmarks: @Sendable () -> Void = {
    Benchmark("Placeholder: sum of 1,000 integers") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole((0..<1_000).reduce(0, +))
        }
    }
}
