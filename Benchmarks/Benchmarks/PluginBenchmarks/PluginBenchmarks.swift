import Benchmark
import Foundation
import GridPluginHost

// Plugin call overhead (issue 7): one call with a 64-byte input, in process against a warm runner process, and the
// worker's memory after 1,000 calls to a plugin that leaks 1 MiB per call. The plugins and grid-runner come from
// the root package's release build (`make bench` builds it first). Run from Benchmarks/:
//   swift package --allow-writing-to-package-directory benchmark --target PluginBenchmarks   (or `make bench`)

/// The root package's release products folder.
private let products = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/release").path

private let echoPlugin = products + "/libGridTestPluginFaultsC.so"
private let input = [UInt8](repeating: 0x61, count: 64)

private func runnerPool(slots: Int = 1) async -> RunnerPool {
    var configuration = RunnerConfiguration(executable: products + "/grid-runner")
    configuration.memoryLimit = 4 << 30
    let (pool, report) = await RunnerPool.start(files: [echoPlugin], slots: slots, configuration: configuration)
    guard report.failures.isEmpty, !pool.plugins.isEmpty else {
        fatalError("build the root package in release first (swift build -c release): \(report.failures)")
    }
    return pool
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .syscalls, .contextSwitches, .peakMemoryResident],
        timeUnits: .microseconds,
        maxDuration: .seconds(3),
        maxIterations: 20_000
    )

    Benchmark("Plugin call, 64-byte input, in process") { benchmark in
        let loaded = PluginLoader.loadFiles([echoPlugin])
        guard let registry = try? PluginRegistry(plugins: loaded.plugins) else { fatalError("\(loaded.failures)") }
        let host = InProcessHost(registry: registry)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(await host.invoke(capability: "faults.echo", input: input, timeout: .seconds(10)))
        }
    }

    Benchmark("Plugin call, 64-byte input, warm runner process") { benchmark in
        let pool = await runnerPool()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(await pool.invoke(capability: "faults.echo", input: input, timeout: .seconds(10)))
        }
        benchmark.stopMeasurement()
        await pool.shutdown()
    }

    Benchmark("Worker after 1,000 calls to a plugin leaking 1 MiB each (runner)",
              configuration: .init(metrics: [.wallClock, .peakMemoryResident], timeUnits: .milliseconds,
                                   maxIterations: 3)) { benchmark in
        let pool = await runnerPool()
        benchmark.startMeasurement()
        for _ in 0..<1_000 {
            blackHole(await pool.invoke(capability: "faults.leak", input: [], timeout: .seconds(10)))
        }
        benchmark.stopMeasurement()
        await pool.shutdown()
    }
}
