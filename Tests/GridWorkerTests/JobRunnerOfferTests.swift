import GridCore
import GridPluginHost
import GridWorker
import Testing

/// What a worker advertises: each capability with the plugin behind it and that plugin's author.
struct JobRunnerOfferTests {
    /// A host that only lists plugins; no call reaches it.
    struct ListingHost: PluginHost {
        let plugins: [LoadedPlugin]

        func invoke(capability: String, input: [UInt8], timeout: Duration) async -> Invocation {
            Invocation(result: .failure(.unknownCapability(capability, plugin: nil)), cpu: .zero)
        }

        func shutdown() async {}
    }

    static func plugin(_ name: String, _ capabilities: [String], author: String? = nil,
                       nondeterministic: Set<String> = []) -> LoadedPlugin {
        let declared = capabilities.map {
            PluginCapability(name: $0, version: SemanticVersion(1, 0, 0), description: $0, cost: 1,
                             deterministic: !nondeterministic.contains($0))
        }
        let plugin = LoadedPlugin(name: name, version: SemanticVersion(1, 0, 0), path: "/p/\(name)", sha256: "00",
                                  capabilities: declared, runner: nil)
        return author.map(plugin.withAuthor) ?? plugin
    }

    @Test("every offer carries its plugin's author: the verified signer, or unsigned")
    func offersCarryAuthors() {
        let signer = String(repeating: "ab", count: 32)
        let runner = JobRunner(host: ListingHost(plugins: [
            Self.plugin("zlib", ["zlib.crc32", "zlib.adler32"], author: signer),
            Self.plugin("text", ["text.uppercase"]),
        ]))
        let authors = Dictionary(uniqueKeysWithValues: runner.offers.map { ($0.name, ($0.plugin, $0.author)) })
        #expect(authors["zlib.crc32"]?.0 == "zlib")
        #expect(authors["zlib.crc32"]?.1 == signer)
        #expect(authors["zlib.adler32"]?.1 == signer)
        #expect(authors["text.uppercase"]?.1 == CapabilityOffer.unsignedAuthor)
    }

    @Test("an offer says whether its capability is deterministic, as the plugin declared")
    func offersCarryDeterminism() {
        let runner = JobRunner(host: ListingHost(plugins: [
            Self.plugin("dice", ["dice.roll", "dice.sum"], nondeterministic: ["dice.roll"]),
        ]))
        let deterministic = Dictionary(uniqueKeysWithValues: runner.offers.map { ($0.name, $0.deterministic) })
        #expect(deterministic == ["dice.roll": false, "dice.sum": true])
    }
}
