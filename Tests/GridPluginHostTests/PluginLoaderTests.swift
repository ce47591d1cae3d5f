import Foundation
import Testing

@testable import GridPluginHost

/// Loading a directory where good plugins sit beside broken files.
@Suite struct PluginLoaderTests {
    @Test func badFilesAreReportedWhileGoodOnesLoad() throws {
        try withTemporaryFolder { folder in
            for plugin in BundledPlugin.allCases { try linkBundled(plugin, into: folder) }
            try Data("not a shared library".utf8).write(to: URL(fileURLWithPath: folder + "/x.so"))
            try compileC("int grid_something_else(void) { return 1; }", named: "no-entry.so", in: folder)
            try compileC(fixturePlugin(abiVersion: "3u"), named: "wrong-abi.so", in: folder)
            try compileC(
                fixturePlugin(name: "\"zz-dup\"", capabilities: [("text.rot13", "1.0.0")]),
                named: "zz-dup.so",
                in: folder
            )
            try Data("ignored".utf8).write(to: URL(fileURLWithPath: folder + "/README.txt"))

            let report = PluginLoader.loadDirectory(folder)

            #expect(report.plugins.map(\.name) == ["hash", "primes", "rot13", "text"])
            #expect(report.plugins.map(\.path) == BundledPlugin.allCases.map { folder + "/" + $0.rawValue })
            let failures = Dictionary(uniqueKeysWithValues: report.failures.map { ($0.path, $0) })
            #expect(
                report.failures.map(\.path)
                    == ["no-entry.so", "wrong-abi.so", "x.so", "zz-dup.so"].map {
                        folder + "/" + $0
                    }
            )

            let garbage = try #require(failures[folder + "/x.so"])
            #expect(garbage.kind == .openFailed)
            #expect(garbage.reason.hasPrefix("dlopen refused it: "))
            #expect(garbage.description.hasPrefix("The plugin \(folder)/x.so was not loaded: dlopen refused it: "))

            let noEntry = try #require(failures[folder + "/no-entry.so"])
            #expect(noEntry.kind == .missingEntry)
            #expect(noEntry.reason.contains("does not export the entry symbol grid_plugin_entry"))
            #expect(noEntry.reason.contains("undefined symbol"))

            let wrongABI = try #require(failures[folder + "/wrong-abi.so"])
            #expect(wrongABI.kind == .abiMismatch)
            #expect(wrongABI.reason == "its descriptor has plugin ABI version 3 but this host loads versions 1 to 2")

            let duplicate = try #require(failures[folder + "/zz-dup.so"])
            #expect(duplicate.kind == .duplicate)
            #expect(
                duplicate.reason
                    == "it offers the capability text.rot13, already offered by plugin rot13 from "
                    + "\(folder)/libGridPluginRot13.so"
            )

            // The registry built from the report still runs the good plugins.
            let registry = try PluginRegistry(plugins: report.plugins)
            #expect(try registry.invoke(capability: "text.rot13", input: Array("abc".utf8)).text == "nop")
        }
    }

    @Test func aSecondPluginWithTheSameNameIsRefused() throws {
        try withTemporaryFolder { folder in
            try linkBundled(.rot13, into: folder, as: "a.so")
            try compileC(fixturePlugin(name: "\"rot13\""), named: "b.so", in: folder)
            let report = PluginLoader.loadDirectory(folder)
            #expect(report.plugins.map(\.name) == ["rot13"])
            #expect(report.failures.map(\.kind) == [.duplicate])
            #expect(
                report.failures.first?.reason
                    == "its name rot13 is already used by the plugin loaded from \(folder)/a.so"
            )
        }
    }

    @Test func aFailingInitIsReported() throws {
        try withTemporaryFolder { folder in
            let path = try compileC(fixturePlugin(initResult: "GRID_PLUGIN_ERROR"), named: "init.so", in: folder)
            let report = PluginLoader.loadFiles([path])
            #expect(report.plugins.isEmpty)
            #expect(report.failures.map(\.kind) == [.initFailed])
            #expect(report.failures.first?.reason == "its init function returned the error code 1")
        }
    }

    @Test func aNullDescriptorIsReported() throws {
        try withTemporaryFolder { folder in
            let path = try compileC(fixturePlugin(returnsNull: true), named: "null.so", in: folder)
            let report = PluginLoader.loadFiles([path])
            #expect(report.failures.map(\.kind) == [.invalidDescriptor])
            #expect(report.failures.first?.reason == "grid_plugin_entry returned a NULL descriptor")
        }
    }

    @Test(arguments: [
        (fixturePlugin(name: "NULL"), "its descriptor is invalid: its name is NULL"),
        (
            fixturePlugin(version: "\"1.0\""),
            "its descriptor is invalid: its version \"1.0\" is not a semantic version such as 1.0.0"
        ),
        (
            fixturePlugin(capabilities: [("Hash", "1.0.0")]),
            "its descriptor is invalid: the capability name \"Hash\" is not lowercase and dotted like hash.sha256 "
                + "(segments of a-z, 0-9, '-' or '_', at most 128 characters)"
        ),
        (
            fixturePlugin(capabilities: [("fx.a", "1.0.0"), ("fx.a", "1.0.0")]),
            "its descriptor is invalid: it declares the capability fx.a twice"
        ),
        (
            fixturePlugin(capabilities: [("fx.a", "x")]),
            "its descriptor is invalid: the version of capability fx.a \"x\" is not a semantic version such as 1.0.0"
        ),
    ])
    func malformedDescriptorsAreReported(source: String, reason: String) throws {
        try withTemporaryFolder { folder in
            let path = try compileC(source, named: "bad.so", in: folder)
            let report = PluginLoader.loadFiles([path])
            #expect(report.plugins.isEmpty)
            #expect(report.failures.map(\.reason) == [reason])
        }
    }

    @Test func unusableDirectoriesAndFilesGiveTheOSReason() throws {
        try withTemporaryFolder { folder in
            let missing = PluginLoader.loadDirectory(folder + "/missing")
            #expect(missing.plugins.isEmpty)
            #expect(
                missing.failures.map(\.description) == [
                    "The plugin \(folder)/missing was not loaded: it cannot be read: No such file or directory."
                ]
            )
            try Data().write(to: URL(fileURLWithPath: folder + "/file"))
            #expect(
                PluginLoader.loadDirectory(folder + "/file").failures.map(\.reason) == [
                    "it cannot be read: it is not a directory"
                ]
            )
            try FileManager.default.createDirectory(atPath: folder + "/dir.so", withIntermediateDirectories: false)
            let report = PluginLoader.loadFiles([folder + "/dir.so", folder + "/absent.so"])
            #expect(
                report.failures.map(\.reason) == [
                    "it cannot be read: it is not a regular file",
                    "it cannot be read: No such file or directory",
                ]
            )
        }
    }

    @Test func pluginFailuresNameThePluginCapabilityAndCode() throws {
        try withTemporaryFolder { folder in
            let path = try compileC(
                fixturePlugin(capabilities: [
                    ("fx.echo", "1.0.0"), ("fx.fail", "1.0.0"), ("fx.broken", "1.0.0"),
                    ("fx.weird", "2.1.0-beta.1"),
                ]),
                named: "fixture.so",
                in: folder
            )
            let report = PluginLoader.loadFiles([path])
            let plugin = try #require(report.plugins.first)
            #expect(plugin.capabilities.map(\.cost) == [2, 2, 2, 2])
            #expect(plugin.capability(named: "fx.weird")?.version.description == "2.1.0-beta.1")
            #expect(try plugin.invoke(capability: "fx.echo", input: [1, 2, 3]) == [1, 2, 3])

            let failed = pluginError { try plugin.invoke(capability: "fx.fail", input: []) }
            #expect(failed?.kind == .failed)
            #expect(failed?.resultCode == 1)
            #expect(failed?.message == "fixture failure")
            #expect(
                failed?.description
                    == "The capability fx.fail of plugin fixture failed (GRID_PLUGIN_ERROR): fixture failure"
            )

            let broken = pluginError { try plugin.invoke(capability: "fx.broken", input: []) }
            #expect(broken?.kind == .invalidOutput)
            #expect(
                broken?.description
                    == "The plugin fixture broke the plugin ABI when running fx.broken: "
                    + "it returned a buffer of 5 bytes with no data."
            )

            let weird = pluginError { try plugin.invoke(capability: "fx.weird", input: []) }
            #expect(weird?.kind == .failed)
            #expect(weird?.resultCode == 7)
            #expect(
                weird?.description
                    == "The capability fx.weird of plugin fixture failed with the unknown result code 7: odd"
            )
        }
    }
}
