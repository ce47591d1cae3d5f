import Foundation
import FuzzSupport
import GridCore

/// Fuzzes `MessageCodec.decodeAll` (JSON envelopes, binary messages and batches of them) with arbitrary bytes. What it
/// accepts must survive an encode/decode round trip unchanged, one message at a time and as a batch.
enum MessageHarness {
    static func run(_ bytes: [UInt8]) {
        guard let messages = try? MessageCodec.decodeAll(bytes) else { return }
        for message in messages {
            let again: Message
            do {
                again = try MessageCodec.decode(MessageCodec.encode(message))
            } catch {
                fuzzCheck(false, "a decoded message does not decode after encoding: \(error)")
                return
            }
            fuzzCheck(again == message, "a message changed in an encode/decode round trip")
        }
        let batched: [Message]
        do {
            batched = try MessageCodec.payloads(for: messages).flatMap { try MessageCodec.decodeAll($0) }
        } catch {
            fuzzCheck(false, "decoded messages do not decode after encoding them as a batch: \(error)")
            return
        }
        fuzzCheck(batched == messages, "messages changed in a batch round trip")
    }

    static func seeds() -> [String: [UInt8]] {
        let peer = PeerID(publicKey: (0..<32).map { UInt8($0) })
        let job = JobID(randomBytes: [1, 2, 3, 4, 5, 6, 7, 8])
        let ad = WorkerAd(
            capabilities: [CapabilityOffer(name: "hash.sha256", version: SemanticVersion(1, 2, 0),
                                           description: "SHA-256 of the input", cost: 2, plugin: "hash")],
            attributes: WorkerAttributes(cores: 8, memoryGB: 15.5, os: "linux", arch: "x86_64", labels: ["zone": "eu"]),
            slots: 4, accept: "job.max_credits >= 2")
        let request = JobRequest(capability: "hash.sha256", version: "^1.0", input: Data([0, 1, 2, 0xff]),
                                 timeoutSeconds: 90, maxCredits: 12, labels: ["zone": "eu"],
                                 requirements: "cores >= 2", rank: "memory_gb", queueTimeoutSeconds: 30)
        let record = JobRecord(
            id: job, capability: "hash.sha256", version: "^1.0", submitter: peer, status: .succeeded, worker: peer,
            attempts: 2, output: Data("digest".utf8), message: "done", credits: 3, maxCredits: 12,
            submittedAt: 1_700_000_000_123, finishedAt: 1_700_000_004_567)
        let messages: [String: Message] = [
            "register": .register(ad),
            "advertise": .advertise(ad),
            "outcome": .outcome(JobOutcome(job: job, attempt: 1, output: Data([9, 8, 7]), error: nil, cpuMillis: 42,
                                           pluginHash: String(repeating: "ab", count: 32))),
            "outcome-error": .outcome(JobOutcome(job: job, attempt: 3, output: nil, error: "the plugin crashed",
                                                 cpuMillis: 0, pluginHash: nil)),
            "registered": .registered(grantedCredits: 100),
            "assign": .assign(Assignment(job: job, attempt: 1, capability: "hash.sha256", input: Data([1]),
                                         timeoutSeconds: 60)),
            "submit": .submit(Submission(id: job, request: request, escrowTimestamp: 1_700_000_000_000,
                                         escrowSignature: Data(repeating: 0x5a, count: 64))),
            "status": .status(job),
            "wait": .wait(job, timeoutMillis: 30_000),
            "cancel": .cancel(job),
            "list-jobs": .listJobs,
            "list-peers": .listPeers,
            "balance": .balance(peer),
            "job": .job(record),
            "jobs": .jobs([record]),
            "peers": .peers([PeerInfo(peer: peer, ad: ad, running: 2, connectedAt: 1_700_000_000_000)]),
            "credits": .credits(-3),
            "failure": .failure("quotes \" and \\ and é 🚀\n"),
        ]
        var seeds = messages.mapValues { MessageCodec.encode($0) }
        seeds["result"] = MessageCodec.encode(.result(record))
        seeds["submitted"] = MessageCodec.encode(.submitted([.accepted(record), .refused(job, reason: "no")]))
        seeds["submit-many"] = MessageCodec.encode(.submitMany([
            Submission(id: job, request: request, escrowTimestamp: 1_700_000_000_000,
                       escrowSignature: Data(repeating: 0x5a, count: 64)),
        ], subscribe: true))
        seeds["batch"] = MessageCodec.payloads(for: [messages["assign"]!, messages["outcome"]!, .result(record),
                                                     .heartbeat])[0]
        // The JSON envelopes of messages that are now written in binary, as a peer built before that sends them.
        seeds["assign-json"] = utf8(#"{"body":{"attempt":1,"capability":"hash.sha256","input":"AQ==","#
            + #""job":"0102030405060708","timeoutSeconds":60},"type":"assign","v":1}"#)
        seeds["outcome-json"] = utf8(#"{"body":{"attempt":1,"cpuMillis":42,"job":"0102030405060708","output":"CQgH","#
            + #""pluginHash":"\#(String(repeating: "ab", count: 32))","retryable":false},"type":"outcome","v":1}"#)
        seeds["outcome-error-json"] = utf8(#"{"body":{"attempt":3,"cpuMillis":0,"error":"the plugin crashed","#
            + #""job":"0102030405060708","retryable":false},"type":"outcome","v":1}"#)
        seeds["unknown-version"] = utf8(#"{"v":2,"type":"listJobs","body":{}}"#)
        seeds["unknown-type"] = utf8(#"{"v":1,"type":"nope","body":{}}"#)
        return seeds
    }
}
