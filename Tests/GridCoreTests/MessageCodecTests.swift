import Foundation
import GridTestKit
import Testing
@testable import GridCore

@Suite("MessageCodec")
struct MessageCodecTests {
    static let peerA = PeerID(publicKey: [UInt8](repeating: 0xaa, count: 32))
    static let peerB = PeerID(publicKey: (0..<32).map { UInt8($0) })
    static let job = JobID(randomBytes: [1, 2, 3, 4, 5, 6, 7, 8])

    static let ad = WorkerAd(
        capabilities: [
            CapabilityOffer(name: "hash.sha256", version: SemanticVersion(1, 2, 0), description: "SHA-256 of the input",
                            cost: 2, plugin: "hash"),
            CapabilityOffer(name: "text.upper", version: SemanticVersion(0, 3, 1, prerelease: ["beta", "1"]),
                            description: "Upper-cases text", cost: 1, plugin: "text"),
        ],
        attributes: WorkerAttributes(cores: 8, memoryGB: 15.5, os: "linux", arch: "x86_64",
                                     labels: ["zone": "eu", "gpu": "none"]),
        slots: 4, accept: "job.maxCredits >= 2")

    static let request = JobRequest(
        capability: "hash.sha256", version: "^1.0", input: Data([0, 1, 2, 0xff]), timeoutSeconds: 90, maxCredits: 12,
        labels: ["zone": "eu"], requirements: "worker.cores >= 2", rank: "worker.memoryGB")

    static let fullRecord = JobRecord(
        id: job, capability: "hash.sha256", version: "^1.0", submitter: peerA, status: .succeeded, worker: peerB,
        attempts: 2, output: Data("digest".utf8), message: "done", credits: 3, maxCredits: 12,
        submittedAt: 1_700_000_000_123, finishedAt: 1_700_000_004_567)

    static let bareRecord = JobRecord(
        id: JobID("other-job")!, capability: "text.upper", version: "*", submitter: peerB, status: .queued,
        maxCredits: 1, submittedAt: 0)

    /// One message of every case, with both full and empty payloads where that matters.
    static let messages: [Message] = [
        .register(ad),
        .register(WorkerAd(capabilities: [], attributes: WorkerAttributes(cores: 1, memoryGB: 0.25, os: "", arch: "",
                                                                         labels: [:]), slots: 1)),
        .outcome(JobOutcome(job: job, attempt: 1, output: Data([9, 8, 7]), error: nil, cpuMillis: 42,
                            pluginHash: String(repeating: "ab", count: 32))),
        .outcome(JobOutcome(job: job, attempt: 3, output: nil, error: "the plugin crashed", cpuMillis: 0,
                            pluginHash: nil)),
        // A run of a redundant job, with the plugin that ran it (recorded in the ledger's result entry).
        .outcome(JobOutcome(job: JobID(run: 2, of: job), attempt: 1, output: Data([1]), error: nil, cpuMillis: 5,
                            pluginHash: String(repeating: "cd", count: 32), plugin: "hash", pluginVersion: "1.2.0",
                            capabilityVersion: "1.0.0")),
        .assign(Assignment(job: JobID(run: 3, of: job), attempt: 1, capability: "hash.sha256", input: Data(),
                           timeoutSeconds: 60)),
        .submitMany([Submission(id: job, request: JobRequest(capability: "a", input: Data(), redundancy: 3, quorum: 2),
                                escrowTimestamp: 1, escrowSignature: Data(repeating: 1, count: 64))],
                    subscribe: false),
        .registered(grantedCredits: 100),
        .registered(grantedCredits: 0),
        .assign(Assignment(job: job, attempt: 1, capability: "hash.sha256", input: Data(), timeoutSeconds: 60)),
        .assign(Assignment(job: job, attempt: 2, capability: "hash.sha256", input: Data((0...255).map { UInt8($0) }),
                           timeoutSeconds: 1)),
        .submit(Submission(id: job, request: request, escrowTimestamp: 1_700_000_000_000,
                           escrowSignature: Data(repeating: 0x5a, count: 64))),
        .submit(Submission(id: job, request: JobRequest(capability: "a", input: Data()), escrowTimestamp: -1,
                           escrowSignature: Data())),
        .status(job),
        .wait(job, timeoutMillis: 30_000),
        .wait(job, timeoutMillis: 0),
        .cancel(Self.job),
        .listJobs,
        .listPeers,
        .heartbeat,
        .balance(peerA),
        .job(fullRecord),
        .job(bareRecord),
        .jobs([fullRecord, bareRecord]),
        .jobs([]),
        .peers([PeerInfo(peer: peerB, ad: ad, running: 2, connectedAt: 1_700_000_000_000)]),
        .peers([]),
        .credits(57),
        .credits(-3),
        .failure("the job 'x' is unknown"),
        .failure(""),
        .failure("quotes \" and \\ and unicode é 🚀 and\nnewlines"),
        .submitMany([Submission(id: job, request: request, escrowTimestamp: 1_700_000_000_000,
                                escrowSignature: Data(repeating: 0x5a, count: 64)),
                     Submission(id: JobID("other-job")!, request: JobRequest(capability: "a", input: Data()),
                                escrowTimestamp: 5, escrowSignature: Data())], subscribe: true),
        .submitMany([], subscribe: false),
        .subscribe([job, JobID("other-job")!]),
        .subscribe([]),
        .submitted([.accepted(fullRecord), .refused(JobID("other-job")!, reason: "The request was refused: no.")]),
        .submitted([]),
        .subscribed(2),
        .result(fullRecord),
        .result(bareRecord),
        .ledgerPull(LedgerPull(after: 12, knownSize: 10, limit: 100)),
        .ledgerPage(LedgerPage(entries: [Data([1, 2, 3]), Data()], checkpoint: "origin\n1\n", consistency: Data([9]))),
        .ledgerPage(LedgerPage(entries: [], checkpoint: nil, consistency: nil)),
        .ledgerReceipt(job),
        .receipt(Data("{\"version\": 1}".utf8)),
        .cosign(LedgerCosignature(size: 7, witness: peerB, signature: Data([1, 2]))),
        .cosigned(3),
        .ledgerPage(LedgerPage(entries: [], checkpoint: "c", consistency: nil,
                               cosignatures: [LedgerCosignature(size: 1, witness: peerA, signature: Data())])),
        .explain(job),
        .explanation(JobExplanation(job: job, status: .failed, capability: "hash.sha256", version: "*",
                                    message: "no", attempts: [.init(attempt: 1, worker: peerB, startedAt: 5)])),
    ]

    @Test("every message survives an encode/decode round trip", arguments: messages)
    func roundTrip(message: Message) throws {
        let bytes = MessageCodec.encode(message)
        #expect(!bytes.isEmpty)
        #expect(try MessageCodec.decode(bytes) == message)
    }

    @Test("every status round-trips inside a record", arguments: JobStatus.allCases)
    func statuses(status: JobStatus) throws {
        var record = Self.fullRecord
        record.status = status
        #expect(try MessageCodec.decode(MessageCodec.encode(.job(record))) == .job(record))
    }

    @Test("the JSON envelope carries the version, the type name and a body")
    func envelope() throws {
        let expectations: [(Message, String)] = [
            // Assignments, outcomes, results and batches of submissions and answers are binary (BinaryMessageTests).
            (.register(Self.ad), "register"), (.registered(grantedCredits: 1), "registered"),
            (.submit(Submission(id: Self.job, request: Self.request, escrowTimestamp: 0, escrowSignature: Data())),
             "submit"),
            (.status(Self.job), "status"), (.wait(Self.job, timeoutMillis: 1), "wait"), (.cancel(Self.job), "cancel"), (.listJobs, "list-jobs"),
            (.listPeers, "list-peers"), (.balance(Self.peerA), "balance"), (.job(Self.bareRecord), "job"),
            (.jobs([]), "jobs"), (.peers([]), "peers"), (.credits(1), "credits"), (.failure("x"), "failure"),
            (.heartbeat, "heartbeat"),
        ]
        for (message, type) in expectations {
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(MessageCodec.encode(message))) as? [String: Any])
            #expect(object["v"] as? Int == MessageCodec.version)
            #expect(object["type"] as? String == type)
            #expect(object["body"] != nil, "\(type) has no body")
            #expect(Set(object.keys) == ["v", "type", "body"])
        }
    }

    @Test("encoding is deterministic")
    func deterministic() {
        for message in Self.messages {
            #expect(MessageCodec.encode(message) == MessageCodec.encode(message))
        }
    }

    @Test("a message without a body decodes when its type needs none")
    func bodilessListJobs() throws {
        #expect(try MessageCodec.decode(Array(#"{"v": 1, "type": "list-jobs"}"#.utf8)) == .listJobs)
        #expect(try MessageCodec.decode(Array(#"{"v": 1, "type": "list-peers", "body": {}}"#.utf8)) == .listPeers)
    }

    /// Decodes `text` expecting a protocol error and returns its description.
    static func failure(_ text: String) -> String? {
        failure(Array(text.utf8))
    }

    static func failure(_ bytes: [UInt8]) -> String? {
        do {
            let message = try MessageCodec.decode(bytes)
            Issue.record("decoded \(message)")
            return nil
        } catch {
            return error.description
        }
    }

    @Test("an unknown version is refused naming both versions", arguments: [0, 2, -1, 99])
    func unknownVersion(version: Int) throws {
        let description = try #require(Self.failure(#"{"v": \#(version), "type": "list-jobs", "body": {}}"#))
        #expect(description.contains("version \(version) is not supported"))
        #expect(description.contains("version \(MessageCodec.version)"))
    }

    @Test("an unknown type is refused naming it", arguments: ["hello", "", "LIST-JOBS", "list_jobs"])
    func unknownType(type: String) throws {
        let description = try #require(Self.failure(#"{"v": 1, "type": "\#(type)", "body": {}}"#))
        #expect(description == "unknown message type '\(type)'")
    }

    @Test("garbage and non-envelopes are refused", arguments: [
        "", "garbage", "{", "[]", "null", "42", #"{"type": "list-jobs"}"#, #"{"v": 1}"#, #"{"v": "1", "type": "x"}"#,
        #"{"v": 1, "type": 5}"#, #"{"v": 1.5, "type": "list-jobs"}"#,
    ])
    func garbage(text: String) throws {
        let description = try #require(Self.failure(text))
        #expect(description.contains("not a PeerGrid envelope"))
    }

    @Test("random bytes are refused, never a crash")
    func randomBytes() {
        var generator = SeededRandom(seed: 0x5eed)
        for length in [1, 2, 7, 64, 1000] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(throws: ProtocolError.self) { try MessageCodec.decode(bytes) }
        }
        #expect(throws: ProtocolError.self) { try MessageCodec.decode([0xff, 0xfe, 0x00]) }
    }

    /// A message text with a malformed body, and a fragment the error must contain.
    static let malformed: [(String, String)] = [
        (#"{"v": 1, "type": "wait", "body": {"job": "abc", "timeoutMillis": "soon"}}"#, "timeoutMillis"),
        (#"{"v": 1, "type": "wait", "body": {"timeoutMillis": 5}}"#, "missing 'body.job'"),
        (#"{"v": 1, "type": "wait", "body": {"job": "NOT VALID", "timeoutMillis": 5}}"#, "body.job"),
        (#"{"v": 1, "type": "status", "body": 5}"#, "'body'"),
        (#"{"v": 1, "type": "status", "body": "Bad Id"}"#, "a job id is"),
        (#"{"v": 1, "type": "status"}"#, "missing 'body'"),
        (#"{"v": 1, "type": "balance", "body": "abcd"}"#, "64 hex digits"),
        (#"{"v": 1, "type": "registered", "body": {}}"#, "missing 'body.grantedCredits'"),
        (#"{"v": 1, "type": "credits", "body": {"credits": null}}"#, "credits"),
        (#"{"v": 1, "type": "failure", "body": {"message": 3}}"#, "message"),
        (#"{"v": 1, "type": "jobs", "body": {}}"#, "'body'"),
        (#"{"v": 1, "type": "peers", "body": [{"peer": "zz"}]}"#, "body.0.peer"),
        (#"{"v": 1, "type": "assign", "body": {"job": "a", "attempt": 1, "capability": "c", "input": "!!", "#
            + #""timeoutSeconds": 1}}"#,
         "body.input"),
        (#"{"v": 1, "type": "submit", "body": {"id": "a", "escrowTimestamp": 0, "escrowSignature": ""}}"#,
         "missing 'body.request'"),
        (#"{"v": 1, "type": "register", "body": {"capabilities": [{"name": "a", "version": "one", "#
            + #""description": "", "cost": 1, "plugin": "p"}], "#
            + #""attributes": {"cores": 1, "memoryGB": 1, "os": "", "arch": "", "labels": {}}, "slots": 1}}"#,
         "body.capabilities.0.version"),
        (#"{"v": 1, "type": "outcome", "body": {"job": "a", "attempt": 1, "cpuMillis": "x"}}"#, "body.cpuMillis"),
        (#"{"v": 1, "type": "submit-many", "body": {"submissions": []}}"#, "missing 'body.subscribe'"),
        (#"{"v": 1, "type": "submitted", "body": [{"id": "a"}]}"#, "body.0.refused"),
        (#"{"v": 1, "type": "subscribe", "body": [3]}"#, "body.0"),
        (#"{"v": 1, "type": "job", "body": {"id": "a", "capability": "c", "version": "*", "#
            + #""submitter": "\#(String(repeating: "a", count: 64))", "status": "lost", "#
            + #""attempts": 0, "credits": 0, "maxCredits": 1, "submittedAt": 0}}"#,
         "body.status"),
    ]

    @Test("a malformed body is refused naming the message type and the field", arguments: malformed)
    func malformedBody(text: String, fragment: String) throws {
        let description = try #require(Self.failure(text))
        let type = try #require(
            (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?["type"] as? String)
        #expect(description.hasPrefix("the body of a '\(type)' message is malformed: "))
        #expect(description.contains(fragment), "description was: \(description)")
    }

    @Test("a fraction where a whole number belongs is refused")
    func fraction() throws {
        // Foundation's JSONDecoder reports this without a coding path, so only the message type can be named.
        let description = try #require(
            Self.failure(#"{"v": 1, "type": "registered", "body": {"grantedCredits": 1.5}}"#))
        #expect(description.hasPrefix("the body of a 'registered' message is malformed: "))
    }
}

