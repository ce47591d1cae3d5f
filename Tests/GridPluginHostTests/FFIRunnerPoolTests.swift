import Foundation
import GridCore
import GridCrypto
import GridPluginTrust
import GridTestKit
import Testing

@testable import GridPluginHost

/// FFI manifests and signed plugins in real `grid-runner` processes: arguments checked in the worker, the C call
/// made in a runner, crashes, load-time refusals and the trusted-authors rule.
@Suite("FFI manifests in runners", .serialized)
struct FFIRunnerPoolTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let zlib = packageRoot + "/Plugins/ffi/zlib.json"
    static let libm = packageRoot + "/Plugins/ffi/libm.json"

    static func withPool<T>(
        _ files: [PluginFile], trust: PluginTrustPolicy = PluginTrustPolicy(trusted: nil),
        _ body: (RunnerPool, PluginLoadReport) async throws -> T
    ) async throws -> T {
        let (pool, report) = await RunnerPool.start(plugins: files, slots: 1,
                                                    configuration: RunnerPoolTests.configuration(), trust: trust)
        do {
            let result = try await body(pool, report)
            await pool.shutdown()
            return result
        } catch {
            await pool.shutdown()
            throw error
        }
    }

    static func call(_ pool: RunnerPool, _ capability: String, _ input: String) async -> Invocation {
        await pool.invoke(capability: capability, input: Array(input.utf8), timeout: .seconds(10))
    }

    /// A manifest over `library` declaring `symbols`, each `int32 symbol(int32 x)`, as capability `name.symbol`.
    static func manifest(name: String, library: String, symbols: [String]) -> String {
        let capabilities = symbols.map { symbol in
            """
            {"name": "\(name).\(symbol)", "version": "1.0.0", "description": "\(symbol)", "cost": 1,
             "symbol": "\(symbol)", "returns": "int32", "parameters": [{"name": "x", "type": "int32"}]}
            """
        }
        return """
            {"peergrid-ffi-manifest": 1, "name": "\(name)", "version": "1.0.0", "library": "\(library)",
             "capabilities": [\(capabilities.joined(separator: ", "))]}
            """
    }

    static let crashingSource = """
        #include <stdint.h>
        int32_t boom(int32_t x) { volatile int32_t *p = (int32_t *)0; return *p + x; }
        int32_t twice(int32_t x) { return 2 * x; }
        """

    @Test("the shipped manifests are served by a runner with the reference values")
    func shippedManifestsServe() async throws {
        try await Self.withPool([.manifest(Self.zlib), .manifest(Self.libm)]) { pool, report in
            #expect(report.failures.isEmpty, "\(report.failures)")
            #expect(report.plugins.map(\.name) == ["zlib", "libm"])
            #expect(report.plugins.allSatisfy { $0.author == CapabilityOffer.unsignedAuthor })
            let zlibHash = Hex.encode(Digest.sha256(Array(try Data(contentsOf: URL(fileURLWithPath: Self.zlib)))))
            #expect(report.plugins.first?.sha256 == zlibHash)
            #expect(try await Self.call(pool, "zlib.crc32", #"[0, "hello"]"#).result.get().text == "907060870")
            #expect(try await Self.call(pool, "math.erf", "[0.5]").result.get().text == "0.5204998778130465")
            #expect(try await Self.call(pool, "math.cbrt", "[8]").result.get().text == "2.0")
        }
    }

    @Test("wrong argument count, type or range fails at once as bad input naming the argument", arguments: [
        ("[0]", "zlib.crc32 takes 2 arguments"),
        (#"["zero", "hello"]"#, "Argument 0 (crc) of zlib.crc32"),
        (#"[-1, "hello"]"#, "Argument 0 (crc) of zlib.crc32"),
        (#"[0, 5]"#, "Argument 1 (data) of zlib.crc32"),
    ])
    func badArguments(input: String, expected: String) async throws {
        try await Self.withPool([.manifest(Self.zlib)]) { pool, _ in
            let pids = await pool.runnerPIDs
            let failure = try #require(await Self.call(pool, "zlib.crc32", input).result.failure)
            #expect(failure.kind == .badInput)
            #expect(failure.description.contains(expected), "\(failure)")
            #expect(await pool.runnerPIDs == pids)
            #expect(try await Self.call(pool, "zlib.crc32", #"[0, "hello"]"#).result.get().text == "907060870")
        }
    }

    @Test("an FFI call that crashes fails its call with the signal, and a new runner serves the next")
    func crashingCallFailsOneCall() async throws {
        let folder = try TemporaryFolder("ffi-crash")
        defer { folder.remove() }
        let library = try CLibrary.compile(Self.crashingSource, named: "libcrashy.so", in: folder.path)
        let manifest = folder.file("crashy.json")
        try Self.manifest(name: "crashy", library: library, symbols: ["boom", "twice"])
            .write(toFile: manifest, atomically: true, encoding: .utf8)
        try await Self.withPool([.manifest(manifest)]) { pool, report in
            #expect(report.failures.isEmpty, "\(report.failures)")
            let before = try #require(await pool.runnerPIDs.first)
            let failure = try #require(await Self.call(pool, "crashy.boom", "[1]").result.failure)
            #expect(failure.kind == .crashed)
            #expect(failure.description == "The plugin crashy crashed with SIGSEGV while running crashy.boom.")
            #expect(RunnerPoolTests.isGone(before))
            #expect(try await Self.call(pool, "crashy.twice", "[21]").result.get().text == "42")
        }
    }

    @Test("a manifest with an unknown symbol or a missing library is refused at load with the loader's words")
    func refusedAtLoad() async throws {
        let folder = try TemporaryFolder("ffi-refused")
        defer { folder.remove() }
        let unknown = folder.file("unknown.json")
        try Self.manifest(name: "unknown", library: "libz.so.1", symbols: ["crc32", "no_such_function"])
            .write(toFile: unknown, atomically: true, encoding: .utf8)
        let missing = folder.file("missing.json")
        try Self.manifest(name: "missing", library: "libgrid-no-such-library.so.7", symbols: ["f"])
            .write(toFile: missing, atomically: true, encoding: .utf8)
        try await Self.withPool([.manifest(missing), .manifest(unknown), .manifest(Self.libm)]) { pool, report in
            #expect(report.plugins.map(\.name) == ["libm"])
            #expect(report.failures.count == 2)
            let missingFailure = try #require(report.failures.first { $0.path == missing })
            #expect(missingFailure.kind == .openFailed)
            #expect(missingFailure.description.contains("libgrid-no-such-library.so.7: cannot open shared object file"),
                    "\(missingFailure)")
            let unknownFailure = try #require(report.failures.first { $0.path == unknown })
            #expect(unknownFailure.kind == .missingSymbol)
            #expect(unknownFailure.description.contains("no_such_function"), "\(unknownFailure)")
            #expect(unknownFailure.description.contains("undefined symbol"), "\(unknownFailure)")
            #expect(try await Self.call(pool, "math.erf", "[0.5]").result.get().text == "0.5204998778130465")
        }
    }

    @Test("with trusted authors, a valid plugin loads with its author; tampered, unsigned and unknown are refused")
    func trustedAuthors() async throws {
        let folder = try TemporaryFolder("ffi-trust")
        defer { folder.remove() }
        let trusted = Identity.generate()
        let stranger = Identity.generate()
        func copy(_ source: String, _ name: String) throws -> String {
            let path = folder.file(name)
            try FileManager.default.copyItem(atPath: source, toPath: path)
            return path
        }
        let valid = try copy(Self.zlib, "valid.json")
        try PluginSignature.signFile(at: valid, identity: trusted)
        let tampered = try copy(Self.libm, "tampered.json")
        try PluginSignature.signFile(at: tampered, identity: trusted)
        let text = try String(contentsOfFile: tampered, encoding: .utf8).replacingOccurrences(of: "\"cost\": 1",
                                                                                               with: "\"cost\": 9")
        try text.write(toFile: tampered, atomically: true, encoding: .utf8)
        let unknown = try copy(BundledPlugin.rot13.path, "librot13.so")
        try PluginSignature.signFile(at: unknown, identity: stranger)
        let unsigned = try copy(BundledPlugin.text.path, "libtext.so")
        let policy = PluginTrustPolicy(trusted: TrustedAuthors([trusted.peerID], source: "trusted.txt"))
        let files: [PluginFile] = [.manifest(valid), .manifest(tampered), .library(unknown), .library(unsigned)]
        try await Self.withPool(files, trust: policy) { pool, report async throws in
            #expect(report.plugins.map(\.name) == ["zlib"])
            #expect(report.plugins.first?.author == trusted.peerID.hex)
            let reasons = Dictionary(uniqueKeysWithValues: report.failures.map { ($0.path, $0) })
            #expect(reasons.values.allSatisfy { $0.kind == .untrusted })
            #expect(reasons[tampered]?.reason.contains("it was changed after it was signed") == true,
                    "\(String(describing: reasons[tampered]))")
            #expect(reasons[unknown]?.reason.contains("who is not a trusted author in trusted.txt") == true,
                    "\(String(describing: reasons[unknown]))")
            #expect(reasons[unsigned]?.reason.contains("it is unsigned") == true,
                    "\(String(describing: reasons[unsigned]))")
            #expect(try await Self.call(pool, "zlib.crc32", #"[0, "hello"]"#).result.get().text == "907060870")
        }
        // Without the rule everything loads; signed files carry their author, the others are "unsigned".
        try await Self.withPool(files) { _, report in
            #expect(report.failures.isEmpty, "\(report.failures)")
            let authors = Dictionary(uniqueKeysWithValues: report.plugins.map { ($0.path, $0.author) })
            #expect(authors[valid] == trusted.peerID.hex)
            #expect(authors[unknown] == stranger.peerID.hex)
            #expect(authors[tampered] == CapabilityOffer.unsignedAuthor)
            #expect(authors[unsigned] == CapabilityOffer.unsignedAuthor)
            #expect(report.warnings.count == 1)
            #expect(report.warnings.first?.contains("it was changed after it was signed") == true)
        }
    }
}

extension FFIRunnerPoolTests {
    @Test("the FFI benchmark's baseline, a compiled C plugin calling zlib's crc32, agrees with the manifest")
    func benchmarkBaselineAgrees() async throws {
        let plugin = PluginFile.library(BuildProducts.path("libGridTestPluginCrc32C.so"))
        try await Self.withPool([plugin, .manifest(Self.zlib)]) { pool, report in
            #expect(report.failures.isEmpty, "\(report.failures)")
            let text = String(repeating: "a", count: 64)
            let compiled = try await Self.call(pool, "bench.crc32", text).result.get().text
            let manifest = try await Self.call(pool, "zlib.crc32", "[0, \"\(text)\"]").result.get().text
            #expect(compiled == manifest)
            #expect(try await Self.call(pool, "bench.crc32", "hello").result.get().text == "907060870")
        }
    }
}
