import Benchmark
import Foundation
import GridFFI
import GridFFICall
import GridPluginHost

// Plugin call overhead (issue 7): one call with a 64-byte input, in process against a warm runner process, and the
// worker's memory after 1,000 calls to a plugin that leaks 1 MiB per call. FFI overhead (issue 11): zlib's crc32 of
// 64 bytes through the manifest Plugins/ffi/zlib.json against a compiled C plugin calling the same function, both in
// a warm runner. The plugins and grid-runner come from the root package's release build (`make bench` builds it
// first). Run from Benchmarks/:
//   swift package --allow-writing-to-package-directory benchmark --target PluginBenchmarks   (or `make bench`)

/// The root package's folder, and its release products folder.
private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
private let products = root.appendingPathComponent(".build/release").path

private let echoPlugin = products + "/libGridTestPluginFaultsC.so"
private let crc32Plugin = products + "/libGridTestPluginCrc32C.so"
private let zlibManifest = root.appendingPathComponent("Plugins/ffi/zlib.json").path
private let input = [UInt8](repeating: 0x61, count: 64)
/// The same 64 bytes as the job input of zlib.crc32: `[0, "aaaa…"]`.
private let crc32Arguments = Array("[0, \"\(String(repeating: "a", count: 64))\"]".utf8)

private func runnerPool(_ files: [PluginFile] = [.library(echoPlugin)], slots: Int = 1) async -> RunnerPool {
    var configuration = RunnerConfiguration(executable: products + "/grid-runner")
    configuration.memoryLimit = 4 << 30
    let (pool, report) = await RunnerPool.start(plugins: files, slots: slots, configuration: configuration)
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
    // Each sample sets up its host (a pool starts its runner) and then makes 1,000 calls, reported per call: the
    // figures are warm calls, not the first call of a new runner.
    let perCall = Benchmark.Configuration(scalingFactor: .kilo)

    Benchmark("Plugin call, 64-byte input, in process", configuration: perCall) { benchmark in
        let loaded = PluginLoader.loadFiles([echoPlugin])
        guard let registry = try? PluginRegistry(plugins: loaded.plugins) else { fatalError("\(loaded.failures)") }
        let host = InProcessHost(registry: registry)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(await host.invoke(capability: "faults.echo", input: input, timeout: .seconds(10)))
        }
    }

    Benchmark("Plugin call, 64-byte input, warm runner process", configuration: perCall) { benchmark in
        let pool = await runnerPool()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(await pool.invoke(capability: "faults.echo", input: input, timeout: .seconds(10)))
        }
        benchmark.stopMeasurement()
        await pool.shutdown()
    }

    Benchmark("zlib crc32 of 64 bytes, compiled C plugin, warm runner process", configuration: perCall) { benchmark in
        let pool = await runnerPool([.library(crc32Plugin)])
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(await pool.invoke(capability: "bench.crc32", input: input, timeout: .seconds(10)))
        }
        benchmark.stopMeasurement()
        await pool.shutdown()
    }

    Benchmark("zlib crc32 of 64 bytes, FFI manifest, warm runner process", configuration: perCall) { benchmark in
        let pool = await runnerPool([.manifest(zlibManifest)])
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(await pool.invoke(capability: "zlib.crc32", input: crc32Arguments, timeout: .seconds(10)))
        }
        benchmark.stopMeasurement()
        await pool.shutdown()
    }

    // Where the FFI call's time goes, without a runner: the worker's share (arguments checked into a plan, the reply
    // decoded and formatted) and the runner's share (the plan decoded and the C call made through libffi).
    Benchmark("zlib crc32 of 64 bytes, FFI worker side only: plan, encode, decode reply, format", configuration: perCall) { benchmark in
        guard let manifest = try? FFIManifest.load(from: zlibManifest),
              let capability = manifest.capability(named: "zlib.crc32") else { fatalError("no zlib manifest") }
        var invoker = FFIInvoker()
        let reply = invoker.serve(try! capability.plan(input: crc32Arguments).encode())
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let plan = try! capability.plan(input: crc32Arguments).encode()
            blackHole(plan)
            blackHole(try! capability.format(try! FFIReply(decoding: reply).get()))
        }
    }

    Benchmark("zlib crc32 of 64 bytes, FFI runner side only: FFIInvoker.serve in process", configuration: perCall) { benchmark in
        guard let manifest = try? FFIManifest.load(from: zlibManifest),
              let capability = manifest.capability(named: "zlib.crc32") else { fatalError("no zlib manifest") }
        var invoker = FFIInvoker()
        let plan = try! capability.plan(input: crc32Arguments).encode()
        blackHole(invoker.serve(plan))
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(invoker.serve(plan))
        }
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
