import Foundation
import GridTestKit
import Testing

@testable import GridPluginHost

/// The plugin libraries this package builds, by file name.
enum BundledPlugin: String, CaseIterable {
    case hash = "libGridPluginHash.so"
    case primes = "libGridPluginPrimes.so"
    case rot13 = "libGridPluginRot13.so"
    case text = "libGridPluginText.so"

    /// The built library in the build products folder.
    var path: String { BuildProducts.path(rawValue) }
}

/// A fresh folder under the system temporary folder, removed when the test's closure returns.
func withTemporaryFolder<T>(_ body: (String) throws -> T) throws -> T {
    let folder = FileManager.default.temporaryDirectory
        .appendingPathComponent("grid-plugin-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    return try body(folder)
}

/// Links `plugin` into `folder` under `name` (a symbolic link, so the library is loaded only once per process).
func linkBundled(_ plugin: BundledPlugin, into folder: String, as name: String? = nil) throws {
    try FileManager.default.createSymbolicLink(
        atPath: folder + "/" + (name ?? plugin.rawValue),
        withDestinationPath: plugin.path
    )
}

/// Failure to build a C fixture.
struct FixtureBuildError: Error, CustomStringConvertible {
    let description: String
}

/// The folder holding `grid_plugin.h`, found from this source file's place in the package.
let pluginHeaderFolder: String = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Sources/CGridPluginABI/include").path

/// Compiles `source` with `cc` into the shared library `folder/name` and returns its path.
@discardableResult
func compileC(_ source: String, named name: String, in folder: String) throws -> String {
    let sourcePath = folder + "/" + name + ".c"
    let libraryPath = folder + "/" + name
    try source.write(toFile: sourcePath, atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["cc", "-shared", "-fPIC", "-std=c11", "-I", pluginHeaderFolder, "-o", libraryPath, sourcePath]
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw FixtureBuildError(description: "cc failed for \(name): \(message)")
    }
    try FileManager.default.removeItem(atPath: sourcePath)
    return libraryPath
}

/// C source of a test plugin written against grid_plugin.h; every part of the descriptor can be changed.
///
/// Its `invoke` echoes the input for any capability except these:
/// `fx.fail` returns GRID_PLUGIN_ERROR with "fixture failure", `fx.broken` returns 5 bytes with no data,
/// `fx.weird` returns result code 7 with "odd". `flags` gives a capability's flags (C text, 0 when not given).
func fixturePlugin(
    abiVersion: String = "GRID_PLUGIN_ABI_VERSION",
    name: String = "\"fixture\"",
    version: String = "\"1.0.0\"",
    capabilities: [(name: String, version: String)] = [("fx.echo", "1.0.0")],
    flags: [String: String] = [:],
    initResult: String? = nil,
    returnsNull: Bool = false
) -> String {
    let entries = capabilities.map {
        "{\"\($0.name)\", \"\($0.version)\", \"A test capability.\", 2, \(flags[$0.name] ?? "0")}"
    }
    let initFunction = initResult.map { "static int32_t fx_init(void) { return \($0); }" } ?? ""
    return """
        #include "grid_plugin.h"
        #include <stdlib.h>
        #include <string.h>

        static int32_t fx_message(grid_buffer *out, const char *text, int32_t code) {
            size_t n = strlen(text);
            out->data = malloc(n);
            memcpy(out->data, text, n);
            out->length = n;
            return code;
        }

        static int32_t fx_invoke(const char *cap, const uint8_t *in, size_t n, grid_buffer *out) {
            if (strcmp(cap, "fx.fail") == 0) return fx_message(out, "fixture failure", GRID_PLUGIN_ERROR);
            if (strcmp(cap, "fx.weird") == 0) return fx_message(out, "odd", 7);
            if (strcmp(cap, "fx.broken") == 0) { out->data = NULL; out->length = 5; return GRID_PLUGIN_OK; }
            if (n == 0) return GRID_PLUGIN_OK;
            out->data = malloc(n);
            memcpy(out->data, in, n);
            out->length = n;
            return GRID_PLUGIN_OK;
        }

        static void fx_free(grid_buffer b) { free(b.data); }
        \(initFunction)

        static const grid_capability fx_capabilities[] = { \(entries.joined(separator: ", ")) };

        static const grid_plugin fx_plugin = {
            \(abiVersion), \(name), \(version),
            sizeof fx_capabilities / sizeof fx_capabilities[0], fx_capabilities,
            \(initResult == nil ? "NULL" : "fx_init"), fx_invoke, fx_free, NULL
        };

        const grid_plugin *grid_plugin_entry(void) { return \(returnsNull ? "NULL" : "&fx_plugin"); }
        """
}

extension Array where Element == UInt8 {
    /// The bytes as UTF-8 text (for comparing outputs).
    var text: String { String(decoding: self, as: UTF8.self) }
}

/// Runs `body` and returns the `PluginError` it throws, recording an issue when it throws none.
func pluginError(_ body: () throws -> [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> PluginError? {
    do {
        let output = try body()
        Issue.record("Expected a PluginError, got \(output.count) bytes of output.", sourceLocation: sourceLocation)
    } catch let error as PluginError {
        return error
    } catch {
        Issue.record("Expected a PluginError, got \(error).", sourceLocation: sourceLocation)
    }
    return nil
}
