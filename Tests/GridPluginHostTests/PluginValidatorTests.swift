import GridCore
import Testing

@testable import GridPluginHost
import GridRunnerProtocol

/// The descriptor rules, checked on plain snapshots without loading anything.
@Suite struct PluginValidatorTests {
    typealias Entry = DescriptorSnapshot.CapabilityEntry

    static func entry(
        _ name: String?, _ version: String? = "1.0.0", description: String? = "Does it.", flags: UInt32 = 0
    ) -> Entry {
        Entry(
            name: name.map { Array($0.utf8) },
            version: version.map { Array($0.utf8) },
            description: description.map { Array($0.utf8) },
            cost: 1,
            flags: flags
        )
    }

    static func snapshot(
        abi: UInt32 = 1,
        name: String? = "demo",
        version: String? = "1.0.0",
        capabilities: [Entry]? = [entry("demo.run")],
        hasInvoke: Bool = true,
        hasFreeBuffer: Bool = true
    ) -> DescriptorSnapshot {
        DescriptorSnapshot(
            abiVersion: abi,
            name: name.map { Array($0.utf8) },
            version: version.map { Array($0.utf8) },
            capabilities: capabilities,
            hasInvoke: hasInvoke,
            hasFreeBuffer: hasFreeBuffer
        )
    }

    @Test func aGoodDescriptorPasses() throws {
        let validated = try PluginValidator.validate(
            Self.snapshot(capabilities: [Self.entry("demo.run"), Self.entry("demo.walk-fast_2", "2.0.0-rc.1")]),
            path: "p.so"
        )
        #expect(validated.name == "demo")
        #expect(validated.version == SemanticVersion(1, 0, 0))
        #expect(validated.capabilities.map(\.name) == ["demo.run", "demo.walk-fast_2"])
        #expect(validated.capabilities[1].version == SemanticVersion(2, 0, 0, prerelease: ["rc", "1"]))
        #expect(validated.capabilities.map(\.deterministic) == [true, true])
    }

    @Test("a version 2 capability with GRID_CAPABILITY_NONDETERMINISTIC is not deterministic; flags 0 is")
    func nondeterministicFlag() throws {
        let validated = try PluginValidator.validate(
            Self.snapshot(abi: 2, capabilities: [Self.entry("demo.random", flags: 1), Self.entry("demo.run")]),
            path: "p.so"
        )
        #expect(validated.capabilities.map(\.deterministic) == [false, true])
    }

    @Test(arguments: [
        (snapshot(abi: 0), "its descriptor has plugin ABI version 0 but this host loads versions 1 to 2"),
        (snapshot(abi: 3), "its descriptor has plugin ABI version 3 but this host loads versions 1 to 2"),
        (
            snapshot(abi: 2, capabilities: [entry("demo.run", flags: 0x6)]),
            "its descriptor is invalid: the capability demo.run sets flag bits 0x6 that this host does not know (it "
                + "knows GRID_CAPABILITY_NONDETERMINISTIC, 0x1)"
        ),
        (snapshot(name: nil), "its descriptor is invalid: its name is NULL"),
        (snapshot(name: ""), "its descriptor is invalid: its name is empty"),
        (
            snapshot(name: "My Plugin"),
            "its descriptor is invalid: its name \"My Plugin\" is not 1 to 64 lowercase letters, digits, '-' or '_' "
                + "starting with a letter or digit"
        ),
        (snapshot(version: nil), "its descriptor is invalid: its version is NULL"),
        (
            snapshot(version: "v1"),
            "its descriptor is invalid: its version \"v1\" is not a semantic version such as 1.0.0"
        ),
        (snapshot(hasInvoke: false), "its descriptor is invalid: its invoke function is NULL"),
        (snapshot(hasFreeBuffer: false), "its descriptor is invalid: its free_buffer function is NULL"),
        (snapshot(capabilities: []), "its descriptor is invalid: it declares no capabilities"),
        (snapshot(capabilities: [entry(nil)]), "its descriptor is invalid: the name of capability #0 is NULL"),
        (snapshot(capabilities: [entry("")]), "its descriptor is invalid: the name of capability #0 is empty"),
        (
            snapshot(capabilities: [entry("demo.run", nil)]),
            "its descriptor is invalid: the version of capability demo.run is NULL"
        ),
        (
            snapshot(capabilities: [entry("demo.run", description: nil)]),
            "its descriptor is invalid: the description of capability demo.run is NULL"
        ),
        (
            snapshot(capabilities: [entry("demo.run"), entry("demo.run")]),
            "its descriptor is invalid: it declares the capability demo.run twice"
        ),
    ])
    func badDescriptorsAreRefusedWithAReason(snapshot: DescriptorSnapshot, reason: String) {
        #expect(throws: PluginLoadFailure.self) { try PluginValidator.validate(snapshot, path: "p.so") }
        do {
            _ = try PluginValidator.validate(snapshot, path: "p.so")
        } catch {
            #expect(error.reason == reason)
            #expect(error.path == "p.so")
        }
    }

    @Test func invalidUTF8AndNullArraysAreRefused() {
        var snapshot = Self.snapshot()
        snapshot.name = [0x64, 0xff]
        #expect(reason(snapshot) == "its descriptor is invalid: its name is not valid UTF-8")
        snapshot = Self.snapshot(capabilities: nil)
        snapshot.capabilityCount = 3
        #expect(
            reason(snapshot)
                == "its descriptor is invalid: it declares 3 capabilities but its capabilities array is NULL"
        )
        snapshot.capabilityCount = 5000
        #expect(
            reason(snapshot) == "its descriptor is invalid: it declares 5000 capabilities, more than the 1024 allowed"
        )
        snapshot = Self.snapshot(name: String(repeating: "a", count: 5000))
        #expect(reason(snapshot) == "its descriptor is invalid: its name is longer than 4096 bytes")
    }

    @Test(arguments: ["hash.sha256", "text.rot13", "a.b", "image.thumbnail.v2", "x-1.y_2", "0.9"])
    func validCapabilityNames(name: String) {
        #expect(PluginValidator.isCapabilityName(name))
    }

    @Test(arguments: [
        "", "hash", "Hash.sha256", "hash..sha256", ".hash", "hash.", "hash.sha 256", "hash.-x",
        "hash.é", String(repeating: "a.", count: 70) + "a",
    ])
    func invalidCapabilityNames(name: String) {
        #expect(!PluginValidator.isCapabilityName(name))
    }

    @Test func claimsRefuseLaterDuplicates() throws {
        let first = try PluginValidator.validate(Self.snapshot(capabilities: [Self.entry("demo.run")]), path: "a.so")
        let other = try PluginValidator.validate(
            Self.snapshot(name: "other", capabilities: [Self.entry("other.go"), Self.entry("demo.run")]),
            path: "b.so"
        )
        let sameName = try PluginValidator.validate(Self.snapshot(capabilities: [Self.entry("x.y")]), path: "c.so")
        var claims = CapabilityClaims()
        try claims.check(plugin: first.name, capabilities: first.capabilities.map(\.name), path: "a.so")
        claims.claim(plugin: first.name, capabilities: first.capabilities.map(\.name), path: "a.so")
        #expect(
            throws: PluginLoadFailure.duplicateCapability(
                "b.so",
                capability: "demo.run",
                owner: "demo",
                ownerPath: "a.so"
            )
        ) {
            try claims.check(plugin: other.name, capabilities: other.capabilities.map(\.name), path: "b.so")
        }
        #expect(throws: PluginLoadFailure.duplicatePluginName("c.so", name: "demo", ownerPath: "a.so")) {
            try claims.check(plugin: sameName.name, capabilities: sameName.capabilities.map(\.name), path: "c.so")
        }
    }

    private func reason(_ snapshot: DescriptorSnapshot) -> String? {
        do {
            _ = try PluginValidator.validate(snapshot, path: "p.so")
            return nil
        } catch {
            return error.reason
        }
    }
}
