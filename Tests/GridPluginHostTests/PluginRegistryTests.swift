import GridCore
import Testing

@testable import GridPluginHost

/// A runner that answers with the capability name, to test the registry without loading anything.
struct NameRunner: CapabilityRunner {
    let tag: String

    func run(capability: String, input: [UInt8]) throws -> [UInt8] {
        Array("\(tag):\(capability)".utf8)
    }
}

/// Capability lookup and dispatch, with runners swapped in.
@Suite struct PluginRegistryTests {
    static func plugin(_ name: String, _ capabilities: [String]) -> LoadedPlugin {
        LoadedPlugin(
            name: name,
            version: SemanticVersion(1, 0, 0),
            path: "/plugins/\(name).so",
            sha256: String(repeating: "0", count: 64),
            capabilities: capabilities.map {
                PluginCapability(name: $0, version: SemanticVersion(1, 0, 0), description: "", cost: 1)
            },
            runner: NameRunner(tag: name)
        )
    }

    @Test func capabilitiesAreDispatchedToTheirPlugin() throws {
        let registry = try PluginRegistry(plugins: [
            Self.plugin("a", ["x.one", "x.two"]), Self.plugin("b", ["x.three"]),
        ])
        #expect(registry.capabilities.map(\.name) == ["x.one", "x.three", "x.two"])
        #expect(try registry.invoke(capability: "x.two", input: []).text == "a:x.two")
        #expect(try registry.invoke(capability: "x.three", input: []).text == "b:x.three")
        #expect(registry.plugin(for: "x.four") == nil)
        #expect(registry.capability(named: "x.one")?.cost == 1)
    }

    @Test func duplicatesAreRefusedNamingTheLaterPlugin() {
        #expect(
            throws: PluginLoadFailure.duplicateCapability(
                "/plugins/b.so",
                capability: "x.two",
                owner: "a",
                ownerPath: "/plugins/a.so"
            )
        ) {
            try PluginRegistry(plugins: [Self.plugin("a", ["x.one", "x.two"]), Self.plugin("b", ["x.two"])])
        }
        #expect(throws: PluginLoadFailure.duplicatePluginName("/plugins/a.so", name: "a", ownerPath: "/plugins/a.so")) {
            try PluginRegistry(plugins: [Self.plugin("a", ["x.one"]), Self.plugin("a", ["x.two"])])
        }
    }

    @Test func aRunnerCanBeSwapped() throws {
        let plugin = Self.plugin("a", ["x.one"]).withRunner(NameRunner(tag: "child"))
        #expect(try PluginRegistry(plugins: [plugin]).invoke(capability: "x.one", input: []).text == "child:x.one")
        #expect(plugin.description == "a 1.0.0 (x.one) from /plugins/a.so")
    }
}
