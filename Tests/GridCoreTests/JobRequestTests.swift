import Foundation
import Testing
@testable import GridCore

@Suite("JobRequest.validate")
struct JobRequestTests {
    static func request(_ change: (inout JobRequest) -> Void = { _ in }) -> JobRequest {
        var request = JobRequest(capability: "hash.sha256", version: "^1.0", input: Data("hello".utf8))
        change(&request)
        return request
    }

    /// Runs `validate()` expecting a failure and returns it.
    static func failure(_ request: JobRequest) -> JobSpecError? {
        do {
            _ = try request.validate()
            return nil
        } catch {
            return error
        }
    }

    @Test("defaults are the documented ones")
    func defaults() {
        let request = JobRequest(capability: "text.upper", input: Data())
        #expect(request.version == "*")
        #expect(request.timeoutSeconds == JobRequest.defaultTimeoutSeconds)
        #expect(request.maxCredits == JobRequest.defaultMaxCredits)
        #expect(request.labels.isEmpty)
        #expect(request.requirements == nil)
        #expect(request.rank == nil)
    }

    @Test("a good request validates and returns its version range")
    func valid() throws {
        let range = try Self.request().validate()
        #expect(range.description == "^1.0")
        #expect(range.contains(SemanticVersion(1, 4, 0)))
        #expect(!range.contains(SemanticVersion(2, 0, 0)))
    }

    @Test("boundary values are accepted")
    func boundaries() throws {
        let edges: [(inout JobRequest) -> Void] = [
            { $0.timeoutSeconds = 1 },
            { $0.timeoutSeconds = JobRequest.maxTimeoutSeconds },
            { $0.maxCredits = 1 },
            { $0.maxCredits = JobRequest.maxCredits },
            { $0.input = Data(count: JobRequest.maxInputBytes) },
            { $0.input = Data() },
            { $0.labels = [String(repeating: "k", count: 64): String(repeating: "v", count: 256)] },
            { $0.labels = ["Zone.EU-west_1": ""] },
            { $0.requirements = "cores >= 2 && labels.zone == \"eu\""; $0.rank = "memory_gb" },
            { $0.capability = "a" },
            { $0.capability = "a_b-c.d0.e9" },
            { $0.capability = String(repeating: "a", count: 128) },
            { $0.version = "*" },
        ]
        for edge in edges {
            let request = Self.request(edge)
            #expect(throws: Never.self) { try request.validate() }
        }
    }

    @Test("bad capability names are refused", arguments: [
        "", "Hash.sha256", "hash..sha256", ".hash", "hash.", "hash sha", "hash/sha", "häsh",
        String(repeating: "a", count: 129),
    ])
    func badCapability(name: String) throws {
        let error = try #require(Self.failure(Self.request { $0.capability = name }))
        #expect(error.field == "capability")
        #expect(error.reason.contains("'\(name)'"))
        #expect(error.description.hasPrefix("field 'capability' "))
    }

    @Test("a bad version range is refused naming the range")
    func badVersion() throws {
        let error = try #require(Self.failure(Self.request { $0.version = "^banana" }))
        #expect(error.field == "version")
        #expect(error.reason.contains("'^banana'"))
        #expect(error.reason.contains("'banana' after '^' is not a version"))
    }

    @Test("input over the limit is refused")
    func inputTooLarge() throws {
        let error = try #require(Self.failure(Self.request { $0.input = Data(count: JobRequest.maxInputBytes + 1) }))
        #expect(error.field == "input")
        #expect(error.reason.contains("\(JobRequest.maxInputBytes + 1) bytes"))
    }

    @Test("timeout out of range is refused", arguments: [0, -1, JobRequest.maxTimeoutSeconds + 1, Int.max, Int.min])
    func badTimeout(value: Int) throws {
        let error = try #require(Self.failure(Self.request { $0.timeoutSeconds = value }))
        #expect(error.field == "timeoutSeconds")
        #expect(error.reason.contains("got \(value)"))
    }

    @Test("max credits out of range is refused", arguments: [0, -5, JobRequest.maxCredits + 1, Int.max])
    func badCredits(value: Int) throws {
        let error = try #require(Self.failure(Self.request { $0.maxCredits = value }))
        #expect(error.field == "maxCredits")
        #expect(error.reason.contains("got \(value)"))
    }

    @Test("bad label keys are refused", arguments: [
        "", "has space", "a/b", "ключ", "k=v", String(repeating: "k", count: 65),
    ])
    func badLabelKey(key: String) throws {
        let error = try #require(Self.failure(Self.request { $0.labels = [key: "v"] }))
        #expect(error.field == "labels")
        #expect(error.reason.contains("'\(key)'"))
    }

    @Test("a label value over 256 bytes is refused naming the label")
    func longLabelValue() throws {
        let long = String(repeating: "é", count: 129)
        let error = try #require(Self.failure(Self.request { $0.labels = ["zone": long] }))
        #expect(error.field == "labels.zone")
    }

    @Test("requirements and rank that are not valid expressions are refused naming the field",
          arguments: ["cores >=", "(cores", "cores >= 2 &&", String(repeating: "x", count: 4097)])
    func badExpressions(text: String) throws {
        let requirements = try #require(Self.failure(Self.request { $0.requirements = text }))
        #expect(requirements.field == "requirements")
        #expect(requirements.reason.hasPrefix("is not a valid expression"))
        let rank = try #require(Self.failure(Self.request { $0.rank = text }))
        #expect(rank.field == "rank")
        #expect(rank.reason.hasPrefix("is not a valid expression"))
    }

    @Test("capability names follow the dotted lowercase rule")
    func capabilityRule() {
        #expect(CapabilityName.isValid("hash.sha256"))
        #expect(CapabilityName.isValid("primes.count_below"))
        #expect(!CapabilityName.isValid("hash..sha256"))
        #expect(!CapabilityName.isValid("HASH"))
    }

    @Test("label keys allow letters, digits, '_', '-', '.'")
    func labelRule() {
        #expect(LabelRules.isValidKey("Zone.eu-1_a"))
        #expect(!LabelRules.isValidKey(""))
        #expect(!LabelRules.isValidKey("a b"))
        #expect(!LabelRules.isValidKey(String(repeating: "a", count: 65)))
    }

    @Test("a request round-trips through JSON")
    func codable() throws {
        let request = Self.request {
            $0.input = Data([0, 1, 2, 255])
            $0.labels = ["zone": "eu"]
            $0.requirements = "cores >= 2"
            $0.rank = "memory_gb"
            $0.timeoutSeconds = 30
            $0.maxCredits = 5
        }
        let data = try JSONEncoder().encode(request)
        #expect(try JSONDecoder().decode(JobRequest.self, from: data) == request)
    }

    @Test("the error description names the file, the field and the reason")
    func errorDescription() {
        #expect(JobSpecError(field: "maxCredits", reason: "must be a whole number").description
                == "field 'maxCredits' must be a whole number")
        #expect(JobSpecError(file: "/tmp/a.json", field: "input", reason: "is required").description
                == "/tmp/a.json: field 'input' is required")
        #expect(JobSpecError(file: "/tmp/a.json", field: nil, reason: "must be a JSON object").description
                == "/tmp/a.json: must be a JSON object")
        #expect(JobSpecError(field: nil, reason: "is not valid JSON").description == "is not valid JSON")
    }
}
