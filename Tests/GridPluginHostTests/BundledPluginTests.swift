import Foundation
import GridCore
import Testing

@testable import GridPluginHost

/// The plugins shipped with PeerGrid, loaded from the build products with dlopen.
@Suite struct BundledPluginTests {
    let registry: PluginRegistry
    let report: PluginLoadReport

    init() throws {
        report = PluginLoader.loadFiles(BundledPlugin.allCases.map(\.path))
        registry = try PluginRegistry(plugins: report.plugins)
    }

    @Test func allFourLoadWithTheirCapabilities() {
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.plugins.map(\.name) == ["hash", "primes", "rot13", "text"])
        #expect(report.plugins.allSatisfy { $0.version == SemanticVersion(1, 0, 0) })
        let capabilities = registry.capabilities
        #expect(
            capabilities.map(\.name)
                == ["hash.blake2b", "hash.sha256", "primes.count", "text.rot13", "text.uppercase", "text.wordcount"]
        )
        #expect(capabilities.allSatisfy { $0.version == SemanticVersion(1, 0, 0) && (1...3).contains($0.cost) })
        #expect(capabilities.allSatisfy { !$0.description.isEmpty })
        #expect(registry.plugin(for: "text.rot13")?.name == "rot13")
        #expect(registry.plugin(for: "text.uppercase")?.path == BundledPlugin.text.path)
    }

    @Test func recordsTheSHA256OfEachBinary() throws {
        for plugin in report.plugins {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["sha256sum", plugin.path]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let line = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(line.split(separator: " ").first.map(String.init) == plugin.sha256)
        }
    }

    @Test func hashesGiveKnownDigests() throws {
        let abc = Array("abc".utf8)
        #expect(
            try registry.invoke(capability: "hash.sha256", input: abc).text
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        )
        #expect(
            try registry.invoke(capability: "hash.blake2b", input: abc).text
                == "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"
        )
        #expect(
            try registry.invoke(capability: "hash.blake2b", input: []).text
                == "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"
        )
    }

    @Test(arguments: [
        ("100", "25"), ("1000", "168"), (" 1000\n", "168"), ("0", "0"), ("2", "0"), ("3", "1"),
        ("100000", "9592"),
    ])
    func primesCountBelowN(input: String, expected: String) throws {
        #expect(try registry.invoke(capability: "primes.count", input: Array(input.utf8)).text == expected)
    }

    @Test(arguments: [
        ("", "empty"), ("abc", "not a decimal integer"), ("-5", "not a decimal integer"),
        ("12a", "not a decimal integer"), ("1 2", "not a decimal integer"),
        ("50000001", "too large"), ("99999999999999999999999", "too large"),
    ])
    func primesRejectsBadInput(input: String, fragment: String) throws {
        let error = pluginError { try registry.invoke(capability: "primes.count", input: Array(input.utf8)) }
        #expect(error?.kind == .badInput)
        #expect(error?.plugin == "primes")
        #expect(error?.capability == "primes.count")
        #expect(error?.message.contains(fragment) == true, "\(String(describing: error))")
        #expect(error?.description.contains("GRID_PLUGIN_BAD_INPUT") == true)
    }

    @Test func textCountsWordsAndUppercases() throws {
        let registry = self.registry
        let words = { (text: String) in
            try registry.invoke(capability: "text.wordcount", input: Array(text.utf8))
        }
        #expect(try words("hello  world\n foo\t").text == "3")
        #expect(try words("").text == "0")
        #expect(try words("héllo wörld").text == "2")
        #expect(
            try registry.invoke(capability: "text.uppercase", input: Array("hello, wörld".utf8)).text
                == "HELLO, WÖRLD"
        )
    }

    @Test(arguments: ["text.wordcount", "text.uppercase"])
    func textRejectsInvalidUTF8(capability: String) throws {
        let error = pluginError { try registry.invoke(capability: capability, input: [0x61, 0xff, 0xfe]) }
        #expect(error?.kind == .badInput)
        #expect(error?.message == "The input is not valid UTF-8 text (invalid bytes at offset 1).")
    }

    @Test func rot13RotatesLettersOnly() throws {
        let rotated = try registry.invoke(capability: "text.rot13", input: Array("Hello, World! é".utf8))
        #expect(rotated.text == "Uryyb, Jbeyq! é")
        #expect(try registry.invoke(capability: "text.rot13", input: rotated).text == "Hello, World! é")
        #expect(try registry.invoke(capability: "text.rot13", input: []).isEmpty)
    }

    @Test func unknownCapabilitiesAreRefusedWithTheirName() throws {
        let none = pluginError { try registry.invoke(capability: "hash.md5", input: []) }
        #expect(none?.kind == .unknownCapability)
        #expect(none?.plugin == nil)
        #expect(none?.description == "No loaded plugin offers the capability hash.md5.")

        let hash = try #require(registry.plugin(for: "hash.sha256"))
        let wrong = pluginError { try hash.invoke(capability: "text.rot13", input: []) }
        #expect(wrong?.description == "The plugin hash does not offer the capability text.rot13.")
    }

    @Test func theSwiftSDKAnswersUnknownCapabilitiesItself() throws {
        // Bypass the host's own check to see what GridPluginKit answers.
        let text = try #require(registry.plugin(for: "text.uppercase"))
        let error = pluginError { try text.runner!.run(capability: "text.reverse", input: []) }
        #expect(error?.kind == .unknownCapability)
        #expect(error?.resultCode == 3)
        #expect(error?.message == "This plugin has no capability named text.reverse.")
    }

    @Test func invocationsRunConcurrently() async throws {
        let registry = self.registry
        let expected = try registry.invoke(capability: "hash.sha256", input: Array("abc".utf8))
        let outputs = await withTaskGroup(of: [[UInt8]].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    (0..<50).map { _ in
                        (try? registry.invoke(capability: "hash.sha256", input: Array("abc".utf8))) ?? []
                    }
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(outputs.count == 400)
        #expect(outputs.allSatisfy { $0 == expected })
    }

    @Test func loadingTheSameFilesAgainIsHarmless() {
        let again = PluginLoader.loadFiles(BundledPlugin.allCases.map(\.path))
        #expect(again.failures.isEmpty)
        #expect(again.plugins.map(\.sha256) == report.plugins.map(\.sha256))
    }
}
