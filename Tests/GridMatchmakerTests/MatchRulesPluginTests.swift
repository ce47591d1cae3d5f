import GridCore
import Testing

@testable import GridMatchmaker

/// `plugin.author` and `plugin.name` in a job's requirements see the plugin behind the offer being matched.
@Suite("Match rules: plugin attributes")
struct MatchRulesPluginTests {
    static let alice = String(repeating: "a1", count: 32)
    static let bob = String(repeating: "b2", count: 32)

    static func ad(_ offers: [(version: String, plugin: String, author: String)]) -> WorkerAd {
        WorkerAd(
            capabilities: offers.map {
                CapabilityOffer(name: "zlib.crc32", version: SemanticVersion($0.version)!, description: "", cost: 1,
                                plugin: $0.plugin, author: $0.author)
            },
            attributes: WorkerAttributes(cores: 2, memoryGB: 4, os: "linux", arch: "x86_64", labels: [:]), slots: 1)
    }

    static func job(requirements: String, range: String = "*", rank: String? = nil) -> SchedulableJob {
        SchedulableJob(
            id: JobID("job-1")!, submitter: PeerID(publicKey: [UInt8](repeating: 9, count: 32)),
            capability: "zlib.crc32", versionRange: try! VersionRange(parsing: range), labels: [:], timeoutSeconds: 10,
            maxCredits: 10, requirements: try! MatchExpression(parsing: requirements),
            rank: rank.map { try! MatchExpression(parsing: $0) })
    }

    @Test("a job requiring an author fits a worker whose plugin that author signed, and no other")
    func requiredAuthor() {
        let job = Self.job(requirements: "plugin.author == \"\(Self.alice)\"")
        #expect(MatchRules.verdict(job, worker: Self.ad([("1.0.0", "zlib", Self.alice)]), running: 0) == .fits)
        let verdict = MatchRules.verdict(job, worker: Self.ad([("1.0.0", "zlib", Self.bob)]), running: 0)
        guard case .rejected(let reason) = verdict else {
            Issue.record("expected a rejection")
            return
        }
        #expect(reason.contains("requirements 'plugin.author == "))
        #expect(MatchRules.verdict(job, worker: Self.ad([("1.0.0", "zlib", "unsigned")]), running: 0) != .fits)
    }

    @Test("unsigned plugins can be excluded, and the plugin's name is readable too")
    func unsignedAndName() {
        let signedOnly = Self.job(requirements: "plugin.author != \"unsigned\" && plugin.name == \"zlib\"")
        #expect(MatchRules.verdict(signedOnly, worker: Self.ad([("1.0.0", "zlib", Self.bob)]), running: 0) == .fits)
        #expect(MatchRules.verdict(signedOnly, worker: Self.ad([("1.0.0", "zlib", "unsigned")]), running: 0) != .fits)
        #expect(MatchRules.verdict(signedOnly, worker: Self.ad([("1.0.0", "libz2", Self.bob)]), running: 0) != .fits)
    }

    @Test("with two offers of the capability, one fitting offer by the required author is enough; the range counts")
    func severalOffers() {
        let ad = Self.ad([("1.0.0", "zlib-a", Self.bob), ("2.0.0", "zlib-b", Self.alice)])
        let byAlice = Self.job(requirements: "plugin.author == \"\(Self.alice)\"")
        #expect(MatchRules.verdict(byAlice, worker: ad, running: 0) == .fits)
        let byAliceAtOne = Self.job(requirements: "plugin.author == \"\(Self.alice)\"", range: "^1")
        #expect(MatchRules.verdict(byAliceAtOne, worker: ad, running: 0) != .fits)
    }

    @Test("worker attributes still read as before next to plugin ones; rank sees the plugin too")
    func together() {
        let job = Self.job(requirements: "cores >= 2 && worker.os == \"linux\" && plugin.author == \"\(Self.alice)\"",
                           rank: "plugin.author == \"\(Self.alice)\"")
        let ad = Self.ad([("1.0.0", "zlib", Self.alice)])
        #expect(MatchRules.verdict(job, worker: ad, running: 0) == .fits)
        #expect(MatchRules.rank(job, worker: ad, running: 0) == 1)
        #expect(MatchRules.rank(job, worker: Self.ad([("1.0.0", "zlib", Self.bob)]), running: 0) == 0)
    }
}
