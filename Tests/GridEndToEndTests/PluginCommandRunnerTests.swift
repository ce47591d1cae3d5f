import Foundation
import GridTestKit
import Testing

/// `grid plugin inspect` and `grid plugin test` load and call the plugin in a runner, like a worker: a crash fails
/// the command with the reason, and FFI manifests work as well as libraries.
@Suite("Command line: plugin inspect and test in a runner")
struct PluginCommandRunnerTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let faultsC = BuildProducts.path("libGridTestPluginFaultsC.so")

    @Test("a plugin that crashes under grid plugin test gives the crash reason and a non-zero exit", arguments: [
        ("faults.segv", "The plugin faults-c crashed with SIGSEGV while running faults.segv."),
        ("faults.abort", "The plugin faults-c crashed with SIGABRT while running faults.abort."),
        ("faults.exit", "The plugin faults-c exited the runner with status 0 while running faults.exit."),
    ])
    func crashIsReported(capability: String, expected: String) async throws {
        let run = try await GridRun.run(["plugin", "test", Self.faultsC, "--capability", capability, "--text", "x"])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains(expected), "\(run.stderr)")
        #expect(!run.stderr.contains("Stack dump"), "\(run.stderr)")
    }

    @Test("a call past --timeout has its runner killed and says so")
    func timeoutKillsTheRunner() async throws {
        let run = try await GridRun.run(
            ["plugin", "test", Self.faultsC, "--capability", "faults.hang", "--text", "x", "--timeout", "1"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("did not finish within 1 s; its runner was killed"), "\(run.stderr)")
    }

    @Test("grid plugin test and inspect accept an FFI manifest")
    func manifests() async throws {
        let zlib = Self.packageRoot + "/Plugins/ffi/zlib.json"
        let crc = try await GridRun.run(["plugin", "test", zlib, "--capability", "zlib.crc32", "--text", #"[0, "hello"]"#])
        #expect(crc.status == 0, "\(crc.stderr)")
        #expect(crc.stdout == "907060870")
        let erf = try await GridRun.run(
            ["plugin", "test", Self.packageRoot + "/Plugins/ffi/libm.json", "--capability", "math.erf", "--text", "[0.5]"])
        #expect(erf.stdout == "0.5204998778130465", "\(erf.stderr)")
        let bad = try await GridRun.run(["plugin", "test", zlib, "--capability", "zlib.crc32", "--text", "[0]"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("zlib.crc32 takes 2 arguments"), "\(bad.stderr)")

        let inspect = try await GridRun.run(["plugin", "inspect", zlib])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains("plugin  zlib 1.0.0"))
        #expect(inspect.stdout.contains("library libz.so.1"))
        #expect(inspect.stdout.contains("zlib.crc32: uint64_t crc32(uint64_t crc, const uint8_t *data, uint32_t data_length)"))
        let json = try #require(try await GridRun.run(["plugin", "inspect", zlib, "--json"]).json())
        #expect(json["library"] as? String == "libz.so.1")
    }

    @Test("inspect refuses a manifest whose symbol the library lacks, with the loader's words")
    func unknownSymbol() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("bad.json")
        try """
            {"peergrid-ffi-manifest": 1, "name": "bad", "version": "1.0.0", "library": "libz.so.1",
             "capabilities": [{"name": "bad.f", "version": "1.0.0", "description": "f", "cost": 1,
                               "symbol": "no_such_function", "returns": "int32", "parameters": []}]}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let run = try await GridRun.run(["plugin", "inspect", path])
        #expect(run.status == 1)
        #expect(run.stderr.contains("\(path) was not loaded: a symbol it declares could not be resolved in a runner: "
            + "The library libz.so.1 does not export the symbol no_such_function"), "\(run.stderr)")
    }
}
