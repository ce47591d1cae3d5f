import Foundation
import GridCore
import GridTestKit
import Testing

/// FFI manifests and signed plugins served by real `grid worker` processes, their C calls made in runners.
@Suite("FFI manifests and signed plugins end to end", .serialized)
struct FFIWorkerTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let zlib = packageRoot + "/Plugins/ffi/zlib.json"
    static let libm = packageRoot + "/Plugins/ffi/libm.json"

    /// Submits `capability` on `input` (with `requirements`, if given) and waits for the result as JSON.
    static func submit(_ grid: TestGrid, _ capability: String, _ input: String, requirements: String? = nil)
        async throws -> [String: Any] {
        var arguments = ["submit", "--capability", capability, "--text", input, "--wait", "--json", "--timeout", "60"]
        if let requirements { arguments += ["--requirements", requirements] }
        let run = try await grid.grid(arguments)
        return try #require(run.json(), "\(run.stdout) \(run.stderr)")
    }

    /// A manifest over `library` declaring `int32 symbol(int32 x)` for each of `symbols`, as `name.symbol`.
    static func writeManifest(_ path: String, name: String, library: String, symbols: [String]) throws {
        let capabilities = symbols.map { symbol in
            """
            {"name": "\(name).\(symbol)", "version": "1.0.0", "description": "\(symbol)", "cost": 1,
             "symbol": "\(symbol)", "returns": "int32", "parameters": [{"name": "x", "type": "int32"}]}
            """
        }
        try """
            {"peergrid-ffi-manifest": 1, "name": "\(name)", "version": "1.0.0", "library": "\(library)",
             "capabilities": [\(capabilities.joined(separator: ", "))]}
            """.write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test("a worker serves the shipped manifests, refuses bad ones at load, fails bad input and crashes per job")
    func workerServesManifests() async throws {
        try await TestGrid.run { grid in
            let library = try CLibrary.compile("""
                #include <stdint.h>
                int32_t boom(int32_t x) { volatile int32_t *p = (int32_t *)0; return *p + x; }
                int32_t twice(int32_t x) { return 2 * x; }
                """, named: "libcrashy.so", in: grid.folder.path)
            let crashy = grid.folder.file("crashy.json")
            try Self.writeManifest(crashy, name: "crashy", library: library, symbols: ["boom", "twice"])
            let unknown = grid.folder.file("unknown.json")
            try Self.writeManifest(unknown, name: "unknown", library: "libz.so.1", symbols: ["no_such_function"])
            let missing = grid.folder.file("missing.json")
            try Self.writeManifest(missing, name: "missing", library: "libgrid-no-such-library.so.7", symbols: ["f"])
            let malformed = grid.folder.file("malformed.json")
            try #"{"peergrid-ffi-manifest": 1, "name": "malformed", "version": "1.0.0", "library": "libz.so.1",}"#
                .write(toFile: malformed, atomically: true, encoding: .utf8)

            try await grid.startMatchmaker(extra: ["--max-attempts", "1"])
            let worker = try await grid.startWorker(
                "a", plugins: [Self.zlib, Self.libm, crashy, unknown, missing, malformed, "libGridPluginText.so"],
                extra: ["--quarantine-crashes", "100"])
            let log = grid.log("a.log")
            #expect(log.contains("unknown.json was not loaded: a symbol it declares could not be resolved in a "
                + "runner: The library libz.so.1 does not export the symbol no_such_function"), "\(log)")
            #expect(log.contains("missing.json was not loaded: the library it declares could not be opened in a "
                + "runner: The library libgrid-no-such-library.so.7 could not be loaded: "
                + "libgrid-no-such-library.so.7: cannot open shared object file"), "\(log)")
            #expect(log.contains("malformed.json was not loaded: it is not a valid FFI manifest: it is not strict JSON"),
                    "\(log)")

            #expect(try await Self.submit(grid, "zlib.crc32", #"[0, "hello"]"#)["output"] as? String == "907060870")
            #expect(try await Self.submit(grid, "math.erf", "[0.5]")["output"] as? String == "0.5204998778130465")

            let bad: [(String, String, String)] = [
                ("zlib.crc32", "[0]", "zlib.crc32 takes 2 arguments"),
                ("zlib.crc32", #"[0, 7]"#, "Argument 1 (data) of zlib.crc32"),
                ("math.erf", #"["half"]"#, "Argument 0 (x) of math.erf"),
                ("math.ldexp", "[1.0, 4294967296]", "Argument 1 (exp) of math.ldexp"),
            ]
            for (capability, input, expected) in bad {
                let json = try await Self.submit(grid, capability, input)
                #expect(json["status"] as? String == "failed", "\(json)")
                #expect(json["attempts"] as? Int == 1, "\(json)")
                let message = json["message"] as? String ?? ""
                #expect(message.contains("rejected its input"), "\(message)")
                #expect(message.contains(expected), "\(message)")
            }

            let crashed = try await Self.submit(grid, "crashy.boom", "[1]")
            #expect(crashed["status"] as? String == "failed")
            #expect((crashed["message"] as? String)?.contains(
                "The plugin crashy crashed with SIGSEGV while running crashy.boom.") == true, "\(crashed)")
            #expect(try await Self.submit(grid, "crashy.twice", "[21]")["output"] as? String == "42")
            #expect(try await Self.submit(grid, "zlib.crc32", #"[0, "hello"]"#)["output"] as? String == "907060870")
            #expect(worker.process.isRunning)
        }
    }

    @Test("--trust-authors loads only plugins signed by a listed author, and plugin.author routes jobs")
    func trustedAuthorsAndRouting() async throws {
        try await TestGrid.run { grid in
            let author = grid.folder.file("author")
            let authorID = try await GridRun.run(["id", "--home", author]).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let stranger = grid.folder.file("stranger")
            let signedFolder = grid.folder.file("signed")
            try FileManager.default.createDirectory(atPath: signedFolder, withIntermediateDirectories: true)
            func copy(_ source: String, _ name: String) throws -> String {
                let path = signedFolder + "/" + name
                try FileManager.default.copyItem(atPath: source, toPath: path)
                return path
            }
            let valid = try copy(Self.zlib, "zlib.json")
            #expect(try await GridRun.run(["plugin", "sign", valid, "--home", author]).status == 0)
            let tampered = try copy(Self.libm, "libm.json")
            #expect(try await GridRun.run(["plugin", "sign", tampered, "--home", author]).status == 0)
            try (try String(contentsOfFile: tampered, encoding: .utf8) + "\n")
                .write(toFile: tampered, atomically: true, encoding: .utf8)
            let unknown = try copy(BuildProducts.path("libGridPluginRot13.so"), "librot13.so")
            #expect(try await GridRun.run(["plugin", "sign", unknown, "--home", stranger]).status == 0)
            let trusted = grid.folder.file("trusted-authors")
            try "# plugin authors we trust\n\(authorID)\n".write(toFile: trusted, atomically: true, encoding: .utf8)

            try await grid.startMatchmaker()
            let strict = try await grid.startWorker(
                "strict", plugins: [valid, valid + ".sig", tampered, tampered + ".sig", unknown, unknown + ".sig",
                                    "libGridPluginText.so"],
                extra: ["--trust-authors", trusted])
            let log = grid.log("strict.log")
            #expect(log.contains("libm.json was not loaded: it was changed after it was signed"), "\(log)")
            #expect(log.contains("librot13.so was not loaded: it is signed by "), "\(log)")
            #expect(log.contains("who is not a trusted author in \(trusted)"), "\(log)")
            #expect(log.contains("libGridPluginText.so was not loaded: it is unsigned"), "\(log)")
            // A worker without the rule loads the same zlib manifest, unsigned.
            let plain = try await grid.startWorker("plain", plugins: [Self.zlib, "libGridPluginText.so"])

            let peers = try await grid.grid(["peers", "--json"])
            #expect(peers.stdout.contains(authorID), "\(peers.stdout)")
            for _ in 0..<3 {
                let signed = try await Self.submit(grid, "zlib.crc32", #"[0, "hello"]"#,
                                                   requirements: "plugin.author == \"\(authorID)\"")
                #expect(signed["output"] as? String == "907060870")
                #expect(signed["worker"] as? String == strict.peer.hex, "\(signed)")
                let unsigned = try await Self.submit(grid, "zlib.crc32", #"[0, "hello"]"#,
                                                     requirements: "plugin.author == \"unsigned\"")
                #expect(unsigned["worker"] as? String == plain.peer.hex, "\(unsigned)")
            }
            // The strict worker refused the text plugin, so text jobs go to the plain worker only.
            let text = try await Self.submit(grid, "text.uppercase", "abc")
            #expect(text["worker"] as? String == plain.peer.hex)
        }
    }
}
