import Foundation
import GridTestKit
import Testing
@testable import GridCore

/// The binary messages (assign, outcome, result, submit-many, submitted) and batches of messages in one payload.
@Suite("Binary messages and batches")
struct BinaryMessageTests {
    typealias Fixtures = MessageCodecTests

    /// The messages that travel in binary.
    static let binary: [Message] = Fixtures.messages.filter { BinaryMessageCodec.encode($0) != nil }

    @Test("the per-job messages travel in binary, the others as JSON")
    func whichAreBinary() {
        let names = Set(Self.binary.map { message -> String in
            switch message {
            case .assign: return "assign"
            case .outcome: return "outcome"
            case .result: return "result"
            case .submitted: return "submitted"
            case .submitMany: return "submit-many"
            default: return "other"
            }
        })
        #expect(names == ["assign", "outcome", "result", "submitted", "submit-many"])
        for message in Fixtures.messages {
            let bytes = MessageCodec.encode(message)
            #expect((bytes.first == 0) == Self.binary.contains(message), "\(message)")
        }
    }

    @Test("the JSON envelopes of binary messages are still understood")
    func jsonStillDecodes() throws {
        let assign = #"{"v": 1, "type": "assign", "body": {"job": "a", "attempt": 2, "capability": "c", "#
            + #""input": "AQI=", "timeoutSeconds": 5}}"#
        #expect(try MessageCodec.decode(Array(assign.utf8))
            == .assign(Assignment(job: JobID("a")!, attempt: 2, capability: "c", input: Data([1, 2]),
                                  timeoutSeconds: 5)))
        let outcome = #"{"v": 1, "type": "outcome", "body": {"job": "a", "attempt": 1, "cpuMillis": 3}}"#
        var expected = JobOutcome(job: JobID("a")!, attempt: 1, output: nil, error: nil, cpuMillis: 3, pluginHash: nil)
        expected.retryable = nil
        #expect(try MessageCodec.decode(Array(outcome.utf8)) == .outcome(expected))
    }

    @Test("absent, false and true optional flags stay apart")
    func optionalFlags() throws {
        for retryable in [nil, false, true] as [Bool?] {
            for crashed in [nil, false, true] as [Bool?] {
                var outcome = JobOutcome(job: Fixtures.job, attempt: 1, output: nil, error: "e", cpuMillis: 1,
                                         pluginHash: nil)
                outcome.retryable = retryable
                outcome.crashed = crashed
                #expect(try MessageCodec.decode(MessageCodec.encode(.outcome(outcome))) == .outcome(outcome))
            }
        }
    }

    @Test("labels of a submission round-trip whatever their order")
    func labels() throws {
        var request = Fixtures.request
        request.labels = ["zone": "eu", "gpu": "a100", "a": "", "é": "ü"]
        request.queueTimeoutSeconds = 30
        let message = Message.submitMany([Submission(id: Fixtures.job, request: request, escrowTimestamp: 9,
                                                     escrowSignature: Data([1]))], subscribe: false)
        #expect(try MessageCodec.decode(MessageCodec.encode(message)) == message)
        #expect(MessageCodec.encode(message) == MessageCodec.encode(message))
    }

    @Test("every truncation of a binary message is refused", arguments: binary)
    func truncations(message: Message) {
        let bytes = MessageCodec.encode(message)
        for length in 0..<bytes.count {
            #expect(throws: ProtocolError.self) { try MessageCodec.decode(Array(bytes[..<length])) }
        }
    }

    @Test("a byte after the end is refused", arguments: binary)
    func trailingByte(message: Message) throws {
        let description = try #require(Fixtures.failure(MessageCodec.encode(message) + [0]))
        #expect(description.hasSuffix("message has 1 bytes after its end"), "\(description)")
    }

    @Test("an unknown binary version or type is refused naming it")
    func unknownVersionAndType() throws {
        var bytes = MessageCodec.encode(.result(Fixtures.bareRecord))
        bytes[1] = 2
        #expect(Fixtures.failure(bytes) == "binary message version 2 is not supported (this peer speaks version 1)")
        bytes[1] = 1
        bytes[2] = 99
        #expect(Fixtures.failure(bytes) == "unknown binary message type 99")
        #expect(Fixtures.failure([0]) == "the message is shorter than a binary message's 3-byte header")
    }

    /// Encodes `message`, lets `change` alter the bytes, and returns the decoding error.
    static func failure(_ message: Message, _ change: (inout [UInt8]) -> Void) -> String? {
        var bytes = MessageCodec.encode(message)
        change(&bytes)
        return Fixtures.failure(bytes)
    }

    @Test("bad fields are refused naming the message and the field")
    func badFields() throws {
        let record = Fixtures.bareRecord
        // The record's status byte follows its id, capability, version (each length-prefixed) and submitter.
        let statusOffset = 3 + (4 + record.id.rawValue.utf8.count) + (4 + record.capability.utf8.count)
            + (4 + record.version.utf8.count) + 32
        let status = try #require(Self.failure(.result(record)) { $0[statusOffset] = 9 })
        #expect(status == "the 'result' message is malformed: 'result.status' is 9, which is no job status")

        let assign = Message.assign(Assignment(job: JobID("ab")!, attempt: 1, capability: "c", input: Data(),
                                               timeoutSeconds: 1))
        let badID = try #require(Self.failure(assign) { $0[7] = UInt8(ascii: "A") })
        #expect(badID.hasPrefix("the 'assign' message is malformed: 'job' is not a job id"))

        let badText = try #require(Self.failure(assign) {
            $0[3 + 4 + 2 + 8 + 4] = 0xff  // the capability's one byte
        })
        #expect(badText == "the 'assign' message is malformed: 'capability' is not UTF-8")

        var outcome = JobOutcome(job: JobID("ab")!, attempt: 1, output: nil, error: nil, cpuMillis: 0, pluginHash: nil)
        outcome.retryable = nil
        let badFlag = try #require(Self.failure(.outcome(outcome)) { $0[3 + 4 + 2 + 8] = 7 })
        #expect(badFlag == "the 'outcome' message is malformed: 'output' is a flag byte of 7, not 0 or 1")

        let long = try #require(Self.failure(assign) { $0[3 + 3] = 200 })
        #expect(long == "the 'assign' message ends early, in 'job'")
    }

    @Test("a submission naming a label twice is refused")
    func duplicateLabel() throws {
        var request = Fixtures.request
        request.labels = ["aa": "1", "ab": "2"]
        let message = Message.submitMany([Submission(id: Fixtures.job, request: request, escrowTimestamp: 0,
                                                     escrowSignature: Data())], subscribe: true)
        var bytes = MessageCodec.encode(message)
        // Rename the second key 'ab' to 'aa'.
        let ab = try #require(bytes.indices.dropLast().first {
            bytes[$0] == UInt8(ascii: "a") && bytes[$0 + 1] == UInt8(ascii: "b")
        })
        bytes[ab + 1] = UInt8(ascii: "a")
        let description = try #require(Fixtures.failure(bytes))
        #expect(description
            == "the 'submit-many' message is malformed: 'submissions.0.request.labels' names 'aa' twice")
    }

    @Test("a count larger than what follows is refused before anything is allocated")
    func hugeCount() throws {
        let bytes: [UInt8] = [0, 1, 5, 0x7f, 0xff, 0xff, 0xff]
        #expect(Fixtures.failure(bytes) == "the 'submitted' message is malformed: 'answers' counts 2147483647 items; "
            + "the limit is \(Message.maxBatch)")
        let fewer: [UInt8] = [0, 1, 5, 0, 0, 0x27, 0x10]
        #expect(Fixtures.failure(fewer) == "the 'submitted' message ends early, in 'answers'")
    }

    // MARK: Batches

    @Test("many messages share one payload, in order")
    func batchRoundTrip() throws {
        let messages = Fixtures.messages
        let payloads = MessageCodec.payloads(for: messages)
        #expect(payloads.count == 1)
        #expect(try MessageCodec.decodeAll(payloads[0]) == messages)
    }

    @Test("one message travels alone, not as a batch")
    func single() throws {
        let payloads = MessageCodec.payloads(for: [.listJobs])
        #expect(payloads == [MessageCodec.encode(.listJobs)])
        #expect(try MessageCodec.decodeAll(payloads[0]) == [.listJobs])
        #expect(MessageCodec.payloads(for: []).isEmpty)
    }

    @Test("a burst larger than the target size is split into several payloads")
    func split() throws {
        let big = Data(repeating: 7, count: 300_000)
        let messages = (0..<10).map { index in
            Message.assign(Assignment(job: JobID("job-\(index)")!, attempt: 1, capability: "c", input: big,
                                      timeoutSeconds: 1))
        }
        let payloads = MessageCodec.payloads(for: messages)
        #expect(payloads.count > 1)
        #expect(payloads.allSatisfy { $0.count <= MessageCodec.batchTargetSize + 8 })
        #expect(try payloads.flatMap { try MessageCodec.decodeAll($0) } == messages)
    }

    @Test("a batch is refused where one message is expected, and inside another batch")
    func batchWhereOneIsExpected() throws {
        let batch = MessageCodec.payloads(for: [.listJobs, .listPeers])[0]
        #expect(Fixtures.failure(batch) == "a batch of messages came where one message was expected")
        let nested = BinaryMessageCodec.encode(batch: [batch, MessageCodec.encode(.listJobs)])
        let refusal = "message 0 of a batch: a batch of messages came where one message was expected"
        #expect(throws: ProtocolError(refusal)) {
            try MessageCodec.decodeAll(nested)
        }
    }

    @Test("a bad message inside a batch is refused naming its place")
    func badInside() throws {
        let batch = BinaryMessageCodec.encode(batch: [MessageCodec.encode(.listJobs), Array("{nope".utf8)])
        let error = #expect(throws: ProtocolError.self) { try MessageCodec.decodeAll(batch) }
        #expect(error?.description.hasPrefix("message 1 of a batch: the message is not a PeerGrid envelope") == true)
    }

    @Test("an empty, short or long batch is refused")
    func badBatches() {
        #expect(throws: ProtocolError("the 'batch' message is malformed: 'messages' counts none; a batch holds at "
                                      + "least one")) {
            try MessageCodec.decodeAll(BinaryMessageCodec.encode(batch: []))
        }
        let batch = MessageCodec.payloads(for: [.listJobs, .listPeers])[0]
        for length in 0..<batch.count {
            #expect(throws: ProtocolError.self) { try MessageCodec.decodeAll(Array(batch[..<length])) }
        }
        #expect(throws: ProtocolError("the 'batch' message has 1 bytes after its end")) {
            try MessageCodec.decodeAll(batch + [0])
        }
    }

    @Test("random binary bytes are refused, never a crash")
    func randomBinary() {
        var generator = SeededRandom(seed: 0xb1a2)
        for _ in 0..<2000 {
            let length = Int.random(in: 3...80, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            bytes[0] = 0
            bytes[1] = 1
            bytes[2] = UInt8.random(in: 1...6, using: &generator)
            _ = try? MessageCodec.decodeAll(bytes)
        }
    }
}
