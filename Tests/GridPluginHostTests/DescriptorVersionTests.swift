import Foundation
import GridTestKit
import Testing

@testable import GridPluginHost

/// Plugin ABI versions 1 and 2: a plugin built against the version 1 header still loads (its capabilities
/// deterministic), and a version 2 plugin says which capabilities are not deterministic.
@Suite("Descriptor versions", .serialized)
struct DescriptorVersionTests {
    /// A plugin as the version 1 header laid it out, with its own copy of that layout (no `flags`), and the bytes
    /// after each capability's `cost` (padding in version 1) set to 0xff: a host reading them as flags would refuse
    /// the plugin or call its capabilities nondeterministic.
    static let versionOneSource = """
        #include <stddef.h>
        #include <stdint.h>
        #include <stdlib.h>
        #include <string.h>

        typedef struct { const char *name; const char *version; const char *description; uint32_t cost; } cap_v1;
        typedef struct { uint8_t *data; size_t length; } buffer_v1;
        typedef struct {
            uint32_t abi_version;
            const char *name;
            const char *version;
            size_t capability_count;
            const cap_v1 *capabilities;
            int32_t (*init)(void);
            int32_t (*invoke)(const char *, const uint8_t *, size_t, buffer_v1 *);
            void (*free_buffer)(buffer_v1);
            void (*deinit)(void);
        } plugin_v1;

        static int32_t old_invoke(const char *cap, const uint8_t *in, size_t n, buffer_v1 *out) {
            (void)cap;
            if (n == 0) return 0;
            out->data = malloc(n);
            memcpy(out->data, in, n);
            out->length = n;
            return 0;
        }

        static void old_free(buffer_v1 b) { free(b.data); }

        static cap_v1 capabilities[2];
        static plugin_v1 descriptor;

        const plugin_v1 *grid_plugin_entry(void) {
            memset(capabilities, 0xff, sizeof capabilities);
            capabilities[0].name = "old.echo";
            capabilities[0].version = "1.0.0";
            capabilities[0].description = "Returns its input.";
            capabilities[0].cost = 2;
            capabilities[1].name = "old.copy";
            capabilities[1].version = "1.1.0";
            capabilities[1].description = "Returns its input too.";
            capabilities[1].cost = 3;
            descriptor.abi_version = 1;
            descriptor.name = "old";
            descriptor.version = "1.0.0";
            descriptor.capability_count = 2;
            descriptor.capabilities = capabilities;
            descriptor.invoke = old_invoke;
            descriptor.free_buffer = old_free;
            return &descriptor;
        }
        """

    @Test("a version 1 plugin loads in process and in a runner, every capability deterministic, and runs")
    func versionOneLoads() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("grid-abi-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = try compileC(Self.versionOneSource, named: "libold.so", in: folder)

        let inProcess = PluginLoader.loadFiles([path])
        #expect(inProcess.failures.isEmpty, "\(inProcess.failures)")
        let plugin = try #require(inProcess.plugins.first)
        #expect(plugin.capabilities.map(\.name) == ["old.echo", "old.copy"])
        #expect(plugin.capabilities.map(\.cost) == [2, 3])
        #expect(plugin.capabilities.map(\.deterministic) == [true, true])
        #expect(try plugin.invoke(capability: "old.copy", input: Array("v1".utf8)).text == "v1")

        try await RunnerPoolTests.withPool([path]) { pool, report in
            #expect(report.failures.isEmpty, "\(report.failures)")
            #expect(report.plugins.first?.capabilities == plugin.capabilities)
            let echo = await pool.invoke(capability: "old.echo", input: Array("hi".utf8), timeout: .seconds(30))
            let text = try echo.result.get().text
            #expect(text == "hi")
        }
    }

    @Test("a version 2 plugin's GRID_CAPABILITY_NONDETERMINISTIC reaches the loaded capability; 0 is deterministic")
    func versionTwoFlags() throws {
        try withTemporaryFolder { folder in
            let source = fixturePlugin(capabilities: [("fx.echo", "1.0.0"), ("fx.dice", "1.0.0")],
                                       flags: ["fx.dice": "GRID_CAPABILITY_NONDETERMINISTIC"])
            let path = try compileC(source, named: "flags.so", in: folder)
            let report = PluginLoader.loadFiles([path])
            #expect(report.failures.isEmpty, "\(report.failures)")
            #expect(report.plugins.first?.capabilities.map(\.deterministic) == [true, false])

            let unknown = try compileC(fixturePlugin(flags: ["fx.echo": "0x80u"]), named: "unknown.so", in: folder)
            #expect(PluginLoader.loadFiles([unknown]).failures.map(\.reason) == [
                "its descriptor is invalid: the capability fx.echo sets flag bits 0x80 that this host does not know "
                    + "(it knows GRID_CAPABILITY_NONDETERMINISTIC, 0x1)",
            ])
        }
    }

    @Test("the faults fixture's faults.random is declared nondeterministic, and its outputs differ")
    func faultsRandom() async throws {
        try await RunnerPoolTests.withPool([RunnerPoolTests.faultsC]) { pool, report in
            let capabilities = try #require(report.plugins.first?.capabilities)
            let nondeterministic = capabilities.filter { !$0.deterministic }.map(\.name)
            #expect(nondeterministic == ["faults.random"])
            let first = try await pool.invoke(capability: "faults.random", input: [], timeout: .seconds(30)).result.get()
            let second = try await pool.invoke(capability: "faults.random", input: [], timeout: .seconds(30)).result.get()
            #expect(first.count == 16)
            #expect(first != second)
        }
    }
}
