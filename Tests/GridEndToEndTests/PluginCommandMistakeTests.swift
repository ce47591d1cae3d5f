import Foundation
import GridTestKit
import Testing

/// `grid plugin` given what a new author might get wrong: each mistake is one clear line and a non-zero exit.
@Suite("Plugin command mistakes")
struct PluginCommandMistakeTests {
    @Test("a plugin name that breaks the naming rules is refused and nothing is written",
          arguments: ["Greet", "_greet", "my plugin", "greet.v2", "", String(repeating: "a", count: 65)])
    func badName(_ name: String) async throws {
        let folder = try TemporaryFolder("grid-plugin-name")
        defer { folder.remove() }
        let run = try await GridRun.run(["plugin", "new", name, "--lang", "c", "--dir", folder.file("out")])
        #expect(run.status != 0)
        #expect(run.stderr.contains("is not 1 to 64 of a-z, 0-9"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.file("out")))
    }

    @Test("a Swift plugin cannot take the name of PeerGrid's own grid target")
    func reservedSwiftName() async throws {
        let folder = try TemporaryFolder("grid-plugin-reserved")
        defer { folder.remove() }
        let run = try await GridRun.run(["plugin", "new", "grid", "--lang", "swift", "--dir", folder.file("out")])
        #expect(run.status != 0)
        #expect(run.stderr.contains("cannot be named grid"), "\(run.stderr)")
    }

    @Test("an existing folder is refused and left as it was")
    func existingFolder() async throws {
        let folder = try TemporaryFolder("grid-plugin-exists")
        defer { folder.remove() }
        let dir = folder.file("taken")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: dir + "/taken.c"))
        let run = try await GridRun.run(["plugin", "new", "taken", "--lang", "c", "--dir", dir])
        #expect(run.status != 0)
        #expect(run.stderr.contains("\(Self.standardized(dir)) already exists"), "\(run.stderr)")
        #expect(try String(contentsOfFile: dir + "/taken.c", encoding: .utf8) == "mine")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["taken.c"])
    }

    @Test("an unknown language names the ones there are")
    func unknownLanguage() async throws {
        let folder = try TemporaryFolder("grid-plugin-lang")
        defer { folder.remove() }
        let run = try await GridRun.run(["plugin", "new", "x", "--lang", "rust", "--dir", folder.file("x")])
        #expect(run.status != 0)
        #expect(run.stderr.contains("'rust'"), "\(run.stderr)")
        #expect(run.stderr.contains("'swift'") && run.stderr.contains("'c'"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.file("x")))
    }

    @Test("--peergrid must point at a checkout")
    func peerGridWithoutManifest() async throws {
        let folder = try TemporaryFolder("grid-plugin-peergrid")
        defer { folder.remove() }
        let run = try await GridRun.run(
            ["plugin", "new", "x", "--lang", "swift", "--dir", folder.file("x"), "--peergrid", folder.path])
        #expect(run.status != 0)
        #expect(run.stderr.contains("no \(Self.standardized(folder.path))/Package.swift"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.file("x")))
    }

    @Test("--peergrid is refused for a C plugin, which needs no PeerGrid to build")
    func peerGridForC() async throws {
        let folder = try TemporaryFolder("grid-plugin-c-peergrid")
        defer { folder.remove() }
        let run = try await GridRun.run(
            ["plugin", "new", "x", "--lang", "c", "--dir", folder.file("x"), "--peergrid", folder.path])
        #expect(run.status != 0)
        #expect(run.stderr.contains("--peergrid is for Swift plugins"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.file("x")))
    }

    @Test("a URL for --peergrid becomes a versioned dependency named after the repository")
    func peerGridURL() async throws {
        let folder = try TemporaryFolder("grid-plugin-url")
        defer { folder.remove() }
        let run = try await GridRun.run(["plugin", "new", "x", "--lang", "swift", "--dir", folder.file("x"),
                                         "--peergrid", "https://example.com/team/PeerGrid.git"])
        try #require(run.status == 0, "\(run.stderr)")
        let manifest = try String(contentsOfFile: folder.file("x/Package.swift"), encoding: .utf8)
        #expect(manifest.contains(#".package(url: "https://example.com/team/PeerGrid.git", from: "#), "\(manifest)")
        #expect(manifest.contains(#".product(name: "GridPluginKit", package: "peergrid")"#), "\(manifest)")
    }

    @Test("inspect names the missing file and the reason on one line")
    func inspectMissingFile() async throws {
        let folder = try TemporaryFolder("grid-plugin-missing")
        defer { folder.remove() }
        let path = folder.file("libnothing.so")
        let run = try await GridRun.run(["plugin", "inspect", path])
        #expect(run.status != 0)
        #expect(run.stdout.isEmpty)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(run.stderr)")
        #expect(run.stderr.contains(path) && run.stderr.contains("was not loaded"), "\(run.stderr)")
    }

    @Test("inspect of a file that is not a library gives the dynamic loader's reason")
    func inspectNotALibrary() async throws {
        let folder = try TemporaryFolder("grid-plugin-notlib")
        defer { folder.remove() }
        let path = folder.file("libtext.so")
        try Data("not a library".utf8).write(to: URL(fileURLWithPath: path))
        let run = try await GridRun.run(["plugin", "inspect", path, "--json"])
        #expect(run.status != 0)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains(path) && run.stderr.contains("dlopen"), "\(run.stderr)")
    }

    @Test("test with a capability the plugin does not offer lists the ones it does")
    func unknownCapability() async throws {
        let library = BuildProducts.path(GridEndToEndTests.rot13)
        let run = try await GridRun.run(["plugin", "test", library, "--capability", "text.rot14", "--text", "x"])
        #expect(run.status != 0)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("does not offer the capability text.rot14"), "\(run.stderr)")
        #expect(run.stderr.contains("it offers text.rot13"), "\(run.stderr)")
    }

    @Test("test needs exactly one input, and an input file that exists")
    func testInputMistakes() async throws {
        let library = BuildProducts.path(GridEndToEndTests.rot13)
        let neither = try await GridRun.run(["plugin", "test", library, "--capability", "text.rot13"])
        #expect(neither.status != 0)
        #expect(neither.stderr.contains("exactly one of --text"), "\(neither.stderr)")
        let both = try await GridRun.run(
            ["plugin", "test", library, "--capability", "text.rot13", "--text", "a", "--input", "/dev/null"])
        #expect(both.status != 0)
        let missing = try await GridRun.run(
            ["plugin", "test", library, "--capability", "text.rot13", "--input", "/nonexistent/input"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("/nonexistent/input"), "\(missing.stderr)")
        let works = try await GridRun.run(["plugin", "test", library, "--capability", "text.rot13", "--text", "Uryyb"])
        #expect(works.stdout == "Hello")
    }

    @Test("test gives up on a call that does not answer within --timeout")
    func testTimeout() async throws {
        let folder = try TemporaryFolder("grid-plugin-hang")
        defer { folder.remove() }
        let source = folder.file("hang.c")
        try Data(Self.hangingPlugin.utf8).write(to: URL(fileURLWithPath: source))
        let cc = try #require(GridRun.program("cc"), "cc is not installed")
        let library = folder.file("libhang.so")
        let built = try await GridRun.run(
            program: cc,
            ["-shared", "-fPIC", "-I", PluginAuthoringTests.headerFolder, "-o", library, source])
        try #require(built.status == 0, "\(built.stderr)")
        let run = try await GridRun.run(
            ["plugin", "test", library, "--capability", "hang.forever", "--text", "x", "--timeout", "0.5"], limit: 30)
        #expect(run.status != 0)
        #expect(run.stderr.contains("hang.forever of plugin hang did not answer within 0.5 s"), "\(run.stderr)")
    }

    /// `path` as the command line shows it: absolute, without `//` or `..`.
    static func standardized(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// A plugin whose one capability never returns.
    static let hangingPlugin = """
        #include "grid_plugin.h"
        #include <unistd.h>

        static int32_t hang_invoke(const char *capability, const uint8_t *input, size_t length, grid_buffer *output) {
            (void)capability; (void)input; (void)length; (void)output;
            for (;;) pause();
            return GRID_PLUGIN_ERROR;
        }

        static void hang_free(grid_buffer buffer) { (void)buffer; }

        static const grid_capability hang_capabilities[] = {{"hang.forever", "1.0.0", "Never answers.", 1}};

        static const grid_plugin hang_plugin = {
            GRID_PLUGIN_ABI_VERSION, "hang", "1.0.0", 1, hang_capabilities, NULL, hang_invoke, hang_free, NULL,
        };

        const grid_plugin *grid_plugin_entry(void) { return &hang_plugin; }

        """
}
