// swift-tools-version:6.1
import PackageDescription

let nio: Target.Dependency = .product(name: "NIOCore", package: "swift-nio")
let nioPosix: Target.Dependency = .product(name: "NIOPosix", package: "swift-nio")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let lifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let grdb: Target.Dependency = .product(name: "GRDB", package: "GRDB.swift")

let package = Package(
    name: "PeerGrid",
    products: [
        .executable(name: "grid", targets: ["grid"]),
        // The process plugin code runs in; `grid worker` starts it from the folder its own executable is in.
        .executable(name: "grid-runner", targets: ["grid-runner"]),
        .library(name: "GridCore", targets: ["GridCore"]),
        .library(name: "GridCrypto", targets: ["GridCrypto"]),
        .library(name: "GridMerkle", targets: ["GridMerkle"]),
        .library(name: "GridLedgerModel", targets: ["GridLedgerModel"]),
        .library(name: "GridLedger", targets: ["GridLedger"]),
        // For the fuzz harnesses in Fuzz/ (a package of their own that depends on this one by path).
        .library(name: "GridNet", targets: ["GridNet"]),
        .library(name: "GridRunnerProtocol", targets: ["GridRunnerProtocol"]),
        .library(name: "GridPluginKit", targets: ["GridPluginKit"]),
        .library(name: "GridPluginHost", targets: ["GridPluginHost"]),
        .library(name: "GridFFI", targets: ["GridFFI"]),
        .library(name: "GridFFICall", targets: ["GridFFICall"]),
        .library(name: "GridMatchmaker", targets: ["GridMatchmaker"]),
        // The Swift client API for programs that submit jobs (docs/client-api.md).
        .library(name: "GridClient", targets: ["GridClient"]),
        // Capability plugins, built as shared libraries that `grid worker --plugins DIR` loads.
        .library(name: "GridPluginHash", type: .dynamic, targets: ["HashPlugin"]),
        .library(name: "GridPluginPrimes", type: .dynamic, targets: ["PrimesPlugin"]),
        .library(name: "GridPluginText", type: .dynamic, targets: ["TextPlugin"]),
        .library(name: "GridPluginRot13", type: .dynamic, targets: ["Rot13Plugin"]),
        // Misbehaving plugins for the isolation tests; never given to workers outside tests.
        .library(name: "GridTestPluginFaultsC", type: .dynamic, targets: ["FaultsCPlugin"]),
        .library(name: "GridTestPluginFaultsSwift", type: .dynamic, targets: ["FaultsSwiftPlugin"]),
        // zlib's crc32 as a compiled C plugin: the baseline of the FFI benchmark; never given to workers.
        .library(name: "GridTestPluginCrc32C", type: .dynamic, targets: ["Crc32CPlugin"]),
        // Offers faults.echo but answers wrongly: the dishonest worker of the quorum tests.
        .library(name: "GridTestPluginLiarC", type: .dynamic, targets: ["LiarCPlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.0.0"),
        // SHA-256 only (BoringSSL's, which uses the CPU's SHA instructions); everything else stays libsodium's.
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
    ],
    targets: [
        // System libraries. SQLite comes through GRDB's own system library target (GRDBSQLite, apt libsqlite3-dev);
        // CSQLite declares the same library for reading column values off statements GRDB prepared (PackedRows): sound
        // only while both link this one libsqlite3 (a GRDB built on its own SQLite or SQLCipher would need its module).
        .systemLibrary(name: "CSodium", providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CFFI", providers: [.apt(["libffi-dev"])]),
        // The C header plugin authors build against.
        .target(name: "CGridPluginABI"),
        // Below the runner: memory limit, allocator hooks, fatal-signal report, watchdog. Linked into grid-runner only.
        .target(name: "CGridRunner"),

        .target(name: "GridCore"),
        .target(name: "GridCrypto", dependencies: ["CSodium", "GridCore", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "GridNet", dependencies: ["GridCore", "GridCrypto", nio, nioPosix, logging]),
        .target(name: "GridMerkle", dependencies: ["GridCore", "GridCrypto"]),
        // Entries, credit rules and verification over a sequence of entries, with no database: what signs an escrow
        // (GridClient), the matchmaker's store and any replica share.
        .target(name: "GridLedgerModel", dependencies: ["GridCore", "GridCrypto", "GridMerkle"]),
        .target(name: "GridLedger",
                dependencies: ["CSQLite", "GridCore", "GridCrypto", "GridMerkle", "GridLedgerModel", grdb, logging]),
        // The frames between a worker and its runners; no Foundation, so the runner stays small.
        .target(name: "GridRunnerProtocol", dependencies: ["CGridPluginABI"]),
        .executableTarget(name: "grid-runner",
                          dependencies: ["GridRunnerProtocol", "CGridRunner", "CGridPluginABI", "GridFFICall"]),
        .target(name: "GridPluginHost",
                dependencies: ["GridCore", "GridCrypto", "CGridPluginABI", "CFFI", "GridRunnerProtocol", "GridFFI",
                               "GridFFICall", "GridPluginTrust", logging]),
        .target(name: "GridPluginKit", dependencies: ["CGridPluginABI"]),
        // FFI capabilities: the Foundation-free call plan and libffi invoker (for the runner), and the manifests.
        .target(name: "GridFFICall", dependencies: ["CFFI"]),
        .target(name: "GridFFI", dependencies: ["GridCore", "GridFFICall"]),
        // Detached plugin signatures and the trusted-authors list.
        .target(name: "GridPluginTrust", dependencies: ["GridCore", "GridCrypto"]),
        .target(name: "GridMatchmaker",
                dependencies: ["GridCore", "GridCrypto", "GridNet", "GridLedger", "GridMerkle", grdb, logging, lifecycle]),
        .target(name: "GridWorker",
                dependencies: ["GridCore", "GridCrypto", "GridNet", "GridPluginHost", "GridLedger", logging, lifecycle]),
        .target(name: "GridClient", dependencies: ["GridCore", "GridCrypto", "GridNet", "GridLedgerModel", logging]),
        // The end-to-end benchmark `make bench` runs against this package's own release build (docs/PERFORMANCE.md).
        .executableTarget(name: "grid-bench",
                          dependencies: ["GridClient", "GridCore", "GridCrypto", "GridTestKit", logging],
                          path: "Benchmarks/EndToEnd"),
        .executableTarget(name: "grid", dependencies: [
            "GridCore", "GridCrypto", "GridNet", "GridMerkle", "GridLedger", "GridPluginHost", "GridMatchmaker", "GridWorker",
            "GridClient", "GridFFI", "GridPluginTrust", logging, lifecycle, nio, nioPosix,
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Plugins shipped with PeerGrid.
        .target(name: "HashPlugin", dependencies: ["GridPluginKit", "GridCore", "GridCrypto"], path: "Plugins/hash"),
        .target(name: "PrimesPlugin", dependencies: ["GridPluginKit"], path: "Plugins/primes"),
        .target(name: "TextPlugin", dependencies: ["GridPluginKit"], path: "Plugins/text"),
        .target(name: "Rot13Plugin", dependencies: ["CGridPluginABI"], path: "Plugins/rot13"),

        // Tests.
        .target(name: "FaultsCPlugin", dependencies: ["CGridPluginABI"], path: "Tests/Fixtures/faults-c"),
        .target(name: "FaultsSwiftPlugin", dependencies: ["GridPluginKit"], path: "Tests/Fixtures/faults-swift"),
        .target(name: "Crc32CPlugin", dependencies: ["CGridPluginABI"], path: "Tests/Fixtures/crc32-c"),
        .target(name: "LiarCPlugin", dependencies: ["CGridPluginABI"], path: "Tests/Fixtures/liar-c"),
        .target(name: "GridTestKit", dependencies: ["GridCore", "GridCrypto", "GridClient", "GridLedgerModel"]),
        .testTarget(name: "GridCoreTests", dependencies: ["GridCore", "GridTestKit"]),
        .testTarget(name: "GridCryptoTests", dependencies: ["GridCrypto", "GridTestKit"]),
        .testTarget(name: "GridNetTests", dependencies: ["GridNet", "GridTestKit", nio, nioPosix, logging]),
        .testTarget(name: "GridMerkleTests", dependencies: ["GridMerkle", "GridCore", "GridCrypto", "GridTestKit"]),
        .testTarget(name: "GridLedgerModelTests", dependencies: ["GridLedgerModel", "GridTestKit"]),
        .testTarget(name: "GridLedgerTests", dependencies: ["GridLedger", "GridTestKit"]),
        .testTarget(name: "GridPluginHostTests",
                    dependencies: ["GridPluginHost", "GridRunnerProtocol", "GridFFICall", "GridPluginTrust", "GridCrypto",
                                   "GridTestKit"]),
        .testTarget(name: "GridWorkerTests", dependencies: ["GridWorker", "GridCore", "GridPluginHost"]),
        .testTarget(name: "GridFFICallTests", dependencies: ["GridFFICall", "GridTestKit"]),
        .testTarget(name: "GridFFITests", dependencies: ["GridFFI", "GridFFICall", "GridTestKit"]),
        .testTarget(name: "GridPluginTrustTests", dependencies: ["GridPluginTrust", "GridFFI", "GridTestKit"]),
        .testTarget(name: "GridMatchmakerTests", dependencies: ["GridMatchmaker", "GridClient", "GridTestKit"]),
        .testTarget(name: "GridClientTests", dependencies: ["GridClient", "GridCore"]),
        .testTarget(name: "GridEndToEndTests", dependencies: ["GridCore", "GridCrypto", "GridLedger", "GridClient", "GridNet", "GridTestKit", logging, grdb]),
    ]
)
