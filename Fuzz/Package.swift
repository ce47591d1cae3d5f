// swift-tools-version:6.1
// The libFuzzer harnesses, a package of their own so the fuzz build (every module compiled with
// `-sanitize=fuzzer`) never touches the root package's `.build`. Built and run by `make fuzz` / `make fuzz-smoke`
// (see docs/fuzzing.md); one executable per harness, whose main.swift hands its test function to libFuzzer.
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder, which is the checkout's name (`wt-fuzz`, `peergrid`, …).
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let rootName = root.lastPathComponent

func product(_ name: String) -> Target.Dependency {
    .product(name: name, package: rootName)
}

/// A harness: `Sources/<name>/`, linked against the root package's libraries it names.
func harness(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(name: name, dependencies: dependencies + ["FuzzSupport"])
}

let package = Package(
    name: "PeerGridFuzz",
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
    ],
    targets: [
        .target(name: "CFuzzDriver"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzDriver"]),
        harness("fuzz-frame-decoder", [product("GridNet"), .product(name: "NIOCore", package: "swift-nio")]),
        harness("fuzz-handshake", [product("GridNet"), product("GridCrypto"), product("GridCore")]),
        harness("fuzz-message", [product("GridCore")]),
        harness("fuzz-job-spec", [product("GridCore")]),
        harness("fuzz-expression", [product("GridCore")]),
        harness("fuzz-ledger-entry", [product("GridLedger"), product("GridCore")]),
        harness("fuzz-receipt", [product("GridLedger")]),
        harness("fuzz-runner-frames", [product("GridRunnerProtocol")]),
    ]
)
