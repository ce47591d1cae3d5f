import Foundation
import GridCore
import GridCrypto
import GridTestKit
import Testing

/// The steps of docs/writing-plugins.md, run for real: `grid plugin new`, a build with the author's own tools,
/// `grid plugin inspect`, `grid plugin test`, and a job served by a worker that loads the new plugin.
@Suite("Plugin authoring", .serialized)
struct PluginAuthoringTests {
    /// The folder of grid_plugin.h, the one source of truth for the plugin ABI.
    static var headerFolder: String { GridEndToEndTests.repositoryRoot + "/Sources/CGridPluginABI/include" }
    static var header: String { headerFolder + "/grid_plugin.h" }

    @Test("the header written for a C plugin is byte-identical to grid_plugin.h")
    func headerCopy() async throws {
        let folder = try TemporaryFolder("grid-plugin-header")
        defer { folder.remove() }
        let made = try await GridRun.run(["plugin", "new", "abi", "--lang", "c", "--dir", folder.file("abi")])
        try #require(made.status == 0, "\(made.stderr)")
        let written = try Data(contentsOf: URL(fileURLWithPath: folder.file("abi/grid_plugin.h")))
        let original = try Data(contentsOf: URL(fileURLWithPath: Self.header))
        #expect(
            written == original,
            """
            Sources/grid/Commands/PluginABIHeader.swift is out of date: paste \
            Sources/CGridPluginABI/include/grid_plugin.h into it, unchanged
            """)
    }

    @Test("a C plugin from `grid plugin new` builds with make, inspects, tests, and serves a job through a worker")
    func cPlugin() async throws {
        let folder = try TemporaryFolder("grid-plugin-c")
        defer { folder.remove() }
        let dir = folder.file("greet")
        let made = try await GridRun.run(["plugin", "new", "greet", "--lang", "c", "--dir", dir])
        try #require(made.status == 0, "\(made.stderr)")
        #expect(made.stdout.contains("make"))
        #expect(made.stdout.contains("grid plugin test libgreet.so --capability greet.echo"))
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(Set(files) == ["greet.c", "grid_plugin.h", "Makefile", ".gitignore"])

        // The source is clean under strict warnings, and the Makefile builds it as the doc says.
        let cc = try #require(GridRun.program("cc"), "cc is not installed")
        let strict = try await GridRun.run(
            program: cc,
            ["-shared", "-fPIC", "-Wall", "-Wextra", "-Werror", "-o", folder.file("strict.so"), dir + "/greet.c"])
        #expect(strict.status == 0, "\(strict.stderr)")
        let make = try #require(GridRun.program("make"), "make is not installed")
        let built = try await GridRun.run(program: make, ["-C", dir])
        try #require(built.status == 0, "\(built.stdout)\n\(built.stderr)")
        let library = dir + "/libgreet.so"

        try await Self.checkInspectAndTest(library, plugin: "greet")
        try await Self.checkServed(library, capability: "greet.echo")
    }

    @Test("a Swift plugin from `grid plugin new` builds against this checkout, inspects, tests and serves a job")
    func swiftPlugin() async throws {
        let folder = try TemporaryFolder("grid-plugin-swift")
        defer { folder.remove() }
        let dir = folder.file("shout")
        let root = GridEndToEndTests.repositoryRoot
        let made = try await GridRun.run(
            ["plugin", "new", "shout", "--lang", "swift", "--dir", dir, "--peergrid", root])
        try #require(made.status == 0, "\(made.stderr)")
        let manifest = try String(contentsOfFile: dir + "/Package.swift", encoding: .utf8)
        let identity = URL(fileURLWithPath: root).lastPathComponent.lowercased()
        #expect(manifest.contains(#".package(path: "\#(root)")"#), "\(manifest)")
        #expect(manifest.contains(#".product(name: "GridPluginKit", package: "\#(identity)")"#), "\(manifest)")
        #expect(FileManager.default.fileExists(atPath: dir + "/Sources/shout/shout.swift"))

        // `swift build --product` builds the plugin and GridPluginKit only, in a scratch folder of the test.
        let swift = try #require(GridRun.program("swift"), "swift is not on PATH")
        let scratch = folder.file("scratch")
        let clock = ContinuousClock()
        let start = clock.now
        let built = try await GridRun.run(
            program: swift, ["build", "--package-path", dir, "--scratch-path", scratch, "--product", "shout"],
            limit: 600)
        let elapsed = clock.now - start
        print("swift build of the generated plugin took \(elapsed.formatted(.units(allowed: [.seconds])))")
        try #require(built.status == 0, "\(built.stdout)\n\(built.stderr)")
        let library = scratch + "/debug/libshout.so"

        try await Self.checkInspectAndTest(library, plugin: "shout")
        try await Self.checkServed(library, capability: "shout.echo")
    }

    @Test("without --peergrid, a Swift plugin depends on the checkout this grid was built from")
    func defaultPeerGrid() async throws {
        let folder = try TemporaryFolder("grid-plugin-default")
        defer { folder.remove() }
        let made = try await GridRun.run(["plugin", "new", "dflt", "--lang", "swift", "--dir", folder.file("dflt")])
        try #require(made.status == 0, "\(made.stderr)")
        let manifest = try String(contentsOfFile: folder.file("dflt/Package.swift"), encoding: .utf8)
        let checkout = BuildProducts.directory.resolvingSymlinksInPath().path
        let line = try #require(manifest.split(separator: "\n").first { $0.contains(".package(path:") })
        let path = try #require(line.split(separator: "\"").dropFirst().first.map(String.init))
        #expect(checkout.hasPrefix(path + "/"), "\(path) does not hold the build products folder \(checkout)")
        #expect(FileManager.default.fileExists(atPath: path + "/Sources/CGridPluginABI/include/grid_plugin.h"))
    }

    /// Runs `grid plugin inspect` (text and JSON) and `grid plugin test` on a freshly built `NAME.echo` plugin.
    static func checkInspectAndTest(_ library: String, plugin: String) async throws {
        let sha256 = Hex.encode(Digest.sha256(Array(try Data(contentsOf: URL(fileURLWithPath: library)))))
        let inspect = try await GridRun.run(["plugin", "inspect", library])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains("plugin  \(plugin) 0.1.0"), "\(inspect.stdout)")
        #expect(inspect.stdout.contains("sha256  \(sha256)"), "\(inspect.stdout)")
        #expect(inspect.stdout.contains("\(plugin).echo"), "\(inspect.stdout)")
        #expect(inspect.stdout.contains("Returns its input unchanged"), "\(inspect.stdout)")
        #expect(inspect.stdout.contains("CAPABILITY  VERSION  COST  DETERMINISTIC  DESCRIPTION"), "\(inspect.stdout)")

        let json = try await GridRun.run(["plugin", "inspect", library, "--json"])
        let object = try #require(json.json(), "\(json.stdout)")
        #expect(object["name"] as? String == plugin)
        #expect(object["version"] as? String == "0.1.0")
        #expect(object["sha256"] as? String == sha256)
        #expect(object["path"] as? String == library)
        let capabilities = try #require(object["capabilities"] as? [[String: Any]])
        #expect(capabilities.count == 1)
        #expect(capabilities.first?["name"] as? String == "\(plugin).echo")
        #expect(capabilities.first?["version"] as? String == "1.0.0")
        #expect(capabilities.first?["cost"] as? Int == 1)
        #expect(capabilities.first?["deterministic"] as? Bool == true)
        #expect((capabilities.first?["description"] as? String)?.isEmpty == false)

        let echoed = try await GridRun.run(
            ["plugin", "test", library, "--capability", "\(plugin).echo", "--text", "hé"])
        #expect(echoed.status == 0, "\(echoed.stderr)")
        #expect(echoed.stdout == "hé")
        #expect(echoed.stderr.isEmpty, "\(echoed.stderr)")

        let folder = try TemporaryFolder("grid-plugin-input")
        defer { folder.remove() }
        let bytes = "a\u{0}b\n\u{1}c"
        try Data(bytes.utf8).write(to: URL(fileURLWithPath: folder.file("input.bin")))
        let raw = try await GridRun.run(
            ["plugin", "test", library, "--capability", "\(plugin).echo", "--input", folder.file("input.bin")])
        #expect(raw.status == 0, "\(raw.stderr)")
        #expect(raw.stdout == bytes)

        let refused = try await GridRun.run(["plugin", "test", library, "--capability", "\(plugin).echo", "--text", ""])
        #expect(refused.status != 0)
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderr.contains("GRID_PLUGIN_BAD_INPUT"), "\(refused.stderr)")
        #expect(refused.stderr.contains("needs at least one byte"), "\(refused.stderr)")
    }

    /// Serves one job from `library` through a real matchmaker and a worker loading only that plugin.
    static func checkServed(_ library: String, capability: String) async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            let worker = try await grid.startWorker("author", plugins: [library])
            let plain = try await grid.grid(["submit", "--capability", capability, "--text", "served", "--wait"])
            #expect(plain.status == 0, "\(plain.stderr)\n\(grid.log("author.log"))")
            #expect(plain.stdout == "served")
            let json = try await grid.grid(
                ["submit", "--capability", capability, "--text", "again", "--wait", "--json"])
            let object = try #require(json.json(), "\(json.stdout)\n\(json.stderr)")
            #expect(object["status"] as? String == "succeeded")
            #expect(object["output"] as? String == "again")
            #expect(object["worker"] as? String == worker.peer.hex)
        }
    }
}
