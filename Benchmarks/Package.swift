// swift-tools-version:6.1
import PackageDescription

// Benchmarks for `make bench` (ordo-one/benchmark), which runs from this folder:
//   swift package --allow-writing-to-package-directory benchmark
// Figures and notes are in docs/PERFORMANCE.md.
// The root package is a path dependency, so benchmarks measure the code in ../Sources.
let benchmark: Target.Dependency = .product(name: "Benchmark", package: "benchmark")
let benchmarkPlugin: Target.PluginUsage = .plugin(name: "BenchmarkPlugin", package: "benchmark")

let package = Package(
    name: "PeerGridBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "PeerGrid", path: ".."),
        // Only the malloc interposer trait: the default also enables a runtime interposer that is not mirrored here.
        .package(url: "https://github.com/ordo-one/benchmark.git", exact: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.0.0"),
    ],
    targets: [
        .executableTarget(
            name: "LedgerBenchmarks",
            dependencies: [
                benchmark,
                .product(name: "GridMerkle", package: "PeerGrid"),
                .product(name: "GridLedger", package: "PeerGrid"),
                .product(name: "GridCrypto", package: "PeerGrid"),
                .product(name: "GridCore", package: "PeerGrid"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Benchmarks/LedgerBenchmarks",
            plugins: [benchmarkPlugin]
        ),
        .executableTarget(
            name: "PluginBenchmarks",
            dependencies: [benchmark, .product(name: "GridPluginHost", package: "PeerGrid")],
            path: "Benchmarks/PluginBenchmarks",
            plugins: [benchmarkPlugin]
        ),
        .executableTarget(
            name: "SchedulerBenchmarks",
            dependencies: [
                benchmark, .product(name: "GridMatchmaker", package: "PeerGrid"),
                .product(name: "GridCore", package: "PeerGrid"),
            ],
            path: "Benchmarks/SchedulerBenchmarks",
            plugins: [benchmarkPlugin]
        ),
        .executableTarget(
            name: "ExpressionBenchmarks",
            dependencies: [benchmark, .product(name: "GridCore", package: "PeerGrid")],
            path: "Benchmarks/ExpressionBenchmarks",
            plugins: [benchmarkPlugin]
        ),
    ]
)
