import Foundation

/// The binary form of the messages that travel once or more per job (docs/wire.md, "Binary messages"): assignments,
/// outcomes, batches of submissions and their answers, pushed results, and batches of messages in one frame.
///
/// A binary message starts with a zero byte (a JSON envelope never does), then its format version and its type. Every
/// field is checked as it is read; a message that is short, long, or holds a bad field is refused with a
/// `ProtocolError` naming the message and the field.
enum BinaryMessageCodec {
    /// The first byte of every binary message.
    static let marker: UInt8 = 0
    /// The format version this peer writes and reads.
    static let version: UInt8 = 1
    /// Marker, version, type.
    static let headerLength = 3

    enum Kind: UInt8 {
        case batch = 1
        case assign = 2
        case outcome = 3
        case result = 4
        case submitted = 5
        case submitMany = 6

        var name: String {
            switch self {
            case .batch: return "batch"
            case .assign: return "assign"
            case .outcome: return "outcome"
            case .result: return "result"
            case .submitted: return "submitted"
            case .submitMany: return "submit-many"
            }
        }
    }

    static func isBinary(_ bytes: [UInt8]) -> Bool {
        bytes.first == marker
    }

    // MARK: Encoding

    /// The binary form of `message`, or nil when it travels as JSON.
    static func encode(_ message: Message) -> [UInt8]? {
        switch message {
        case .assign(let assignment):
            var writer = header(.assign, capacity: 96 + assignment.input.count)
            writer.write(assignment)
            return writer.bytes
        case .outcome(let outcome):
            var writer = header(.outcome, capacity: 160 + (outcome.output?.count ?? 0))
            writer.write(outcome)
            return writer.bytes
        case .result(let record):
            var writer = header(.result, capacity: 192 + (record.output?.count ?? 0))
            writer.write(record)
            return writer.bytes
        case .submitted(let answers):
            var writer = header(.submitted, capacity: 16 + 200 * answers.count)
            writer.write(UInt32(truncatingIfNeeded: answers.count))
            for answer in answers {
                switch answer {
                case .accepted(let record):
                    writer.write(UInt8(0))
                    writer.write(record)
                case .refused(let id, let reason):
                    writer.write(UInt8(1))
                    writer.write(string: id.rawValue)
                    writer.write(string: reason)
                }
            }
            return writer.bytes
        case .submitMany(let submissions, let subscribe):
            var writer = header(.submitMany, capacity: 16 + submissions.reduce(0) { $0 + 200 + $1.request.input.count })
            writer.write(subscribe)
            writer.write(UInt32(truncatingIfNeeded: submissions.count))
            for submission in submissions { writer.write(submission) }
            return writer.bytes
        default:
            return nil
        }
    }

    /// Many encoded messages in one: each with its length before it.
    static func encode(batch messages: [[UInt8]]) -> [UInt8] {
        var writer = header(.batch, capacity: 8 + messages.reduce(0) { $0 + 4 + $1.count })
        writer.write(UInt32(truncatingIfNeeded: messages.count))
        for message in messages {
            writer.write(UInt32(truncatingIfNeeded: message.count))
            writer.append(raw: message)
        }
        return writer.bytes
    }

    private static func header(_ kind: Kind, capacity: Int) -> WireWriter {
        var writer = WireWriter(capacity: capacity)
        writer.write(marker)
        writer.write(version)
        writer.write(kind.rawValue)
        return writer
    }

    // MARK: Decoding

    /// The type of a binary message, after checking its marker and version.
    static func kind(of bytes: [UInt8]) throws(ProtocolError) -> Kind {
        guard bytes.count >= headerLength, bytes[0] == marker else {
            throw ProtocolError("the message is shorter than a binary message's 3-byte header")
        }
        guard bytes[1] == version else {
            throw ProtocolError("binary message version \(bytes[1]) is not supported (this peer speaks version "
                                + "\(version))")
        }
        guard let kind = Kind(rawValue: bytes[2]) else {
            throw ProtocolError("unknown binary message type \(bytes[2])")
        }
        return kind
    }

    /// Decodes one binary message that is not a batch.
    static func decode(_ bytes: [UInt8]) throws(ProtocolError) -> Message {
        let kind = try kind(of: bytes)
        var reader = WireReader(bytes, from: headerLength, message: kind.name)
        let message: Message
        switch kind {
        case .batch:
            throw ProtocolError("a batch of messages came where one message was expected")
        case .assign:
            message = .assign(try reader.readAssignment())
        case .outcome:
            message = .outcome(try reader.readOutcome())
        case .result:
            message = .result(try reader.readRecord("result"))
        case .submitted:
            let count = try reader.readCount("answers", minimumSize: 1, limit: Message.maxBatch)
            var answers: [SubmissionAnswer] = []
            answers.reserveCapacity(count)
            for index in 0..<count {
                switch try reader.readUInt8("answers.\(index)") {
                case 0:
                    answers.append(.accepted(try reader.readRecord("answers.\(index).job")))
                case 1:
                    answers.append(.refused(try reader.readJobID("answers.\(index).id"),
                                            reason: try reader.readString("answers.\(index).refused")))
                case let other:
                    throw reader.failure("answers.\(index)", "has kind \(other), not 0 (accepted) or 1 (refused)")
                }
            }
            message = .submitted(answers)
        case .submitMany:
            let subscribe = try reader.readBool("subscribe")
            let count = try reader.readCount("submissions", minimumSize: 40, limit: Message.maxBatch)
            var submissions: [Submission] = []
            submissions.reserveCapacity(count)
            for index in 0..<count {
                submissions.append(try reader.readSubmission("submissions.\(index)"))
            }
            message = .submitMany(submissions, subscribe: subscribe)
        }
        try reader.finish()
        return message
    }

    /// The messages of a batch, still encoded, each checked for length only.
    static func split(batch bytes: [UInt8]) throws(ProtocolError) -> [[UInt8]] {
        var reader = WireReader(bytes, from: headerLength, message: Kind.batch.name)
        let count = try reader.readCount("messages", minimumSize: 4, limit: Message.maxBatch)
        guard count > 0 else { throw reader.failure("messages", "counts none; a batch holds at least one") }
        var messages: [[UInt8]] = []
        messages.reserveCapacity(count)
        for index in 0..<count {
            messages.append(Array(try reader.readBytes("messages.\(index)")))
        }
        try reader.finish()
        return messages
    }
}

// MARK: Fields

extension WireWriter {
    mutating func write(_ assignment: Assignment) {
        write(string: assignment.job.rawValue)
        write(assignment.attempt)
        write(string: assignment.capability)
        write(data: assignment.input)
        write(assignment.timeoutSeconds)
    }

    mutating func write(_ outcome: JobOutcome) {
        write(string: outcome.job.rawValue)
        write(outcome.attempt)
        write(optional: outcome.output) { $0.write(data: $1) }
        write(optional: outcome.error) { $0.write(string: $1) }
        write(outcome.cpuMillis)
        write(optional: outcome.pluginHash) { $0.write(string: $1) }
        write(optionalFlag: outcome.retryable)
        write(optionalFlag: outcome.crashed)
        write(optional: outcome.plugin) { $0.write(string: $1) }
        write(optional: outcome.pluginVersion) { $0.write(string: $1) }
        write(optional: outcome.capabilityVersion) { $0.write(string: $1) }
    }

    mutating func write(_ record: JobRecord) {
        write(string: record.id.rawValue)
        write(string: record.capability)
        write(string: record.version)
        write(record.submitter)
        write(BinaryMessageCodec.statusCode(record.status))
        write(optional: record.worker) { $0.write($1) }
        write(record.attempts)
        write(optional: record.output) { $0.write(data: $1) }
        write(optional: record.message) { $0.write(string: $1) }
        write(record.credits)
        write(record.maxCredits)
        write(record.submittedAt)
        write(optional: record.finishedAt) { $0.write($1) }
    }

    mutating func write(_ submission: Submission) {
        write(string: submission.id.rawValue)
        let request = submission.request
        write(string: request.capability)
        write(string: request.version)
        write(data: request.input)
        write(request.timeoutSeconds)
        write(request.maxCredits)
        write(UInt32(truncatingIfNeeded: request.labels.count))
        for (key, value) in request.labels.sorted(by: { $0.key < $1.key }) {
            write(string: key)
            write(string: value)
        }
        write(optional: request.requirements) { $0.write(string: $1) }
        write(optional: request.rank) { $0.write(string: $1) }
        write(optional: request.queueTimeoutSeconds) { $0.write($1) }
        write(optional: request.redundancy) { $0.write($1) }
        write(optional: request.quorum) { $0.write($1) }
        write(submission.escrowTimestamp)
        write(data: submission.escrowSignature)
    }
}

extension WireReader {
    mutating func readAssignment() throws(ProtocolError) -> Assignment {
        Assignment(job: try readJobID("job"), attempt: try readInt("attempt"), capability: try readString("capability"),
                   input: try readData("input"), timeoutSeconds: try readInt("timeoutSeconds"))
    }

    mutating func readOutcome() throws(ProtocolError) -> JobOutcome {
        let job = try readJobID("job")
        let attempt = try readInt("attempt")
        let output = try readOptional("output") { reader throws(ProtocolError) in try reader.readData("output") }
        let error = try readOptional("error") { reader throws(ProtocolError) in try reader.readString("error") }
        let cpuMillis = try readInt("cpuMillis")
        let hash = try readOptional("pluginHash") { reader throws(ProtocolError) in
            try reader.readString("pluginHash")
        }
        var outcome = JobOutcome(job: job, attempt: attempt, output: output, error: error, cpuMillis: cpuMillis,
                                 pluginHash: hash)
        outcome.retryable = try readOptionalFlag("retryable")
        outcome.crashed = try readOptionalFlag("crashed")
        outcome.plugin = try readOptional("plugin") { reader throws(ProtocolError) in try reader.readString("plugin") }
        outcome.pluginVersion = try readOptional("pluginVersion") { reader throws(ProtocolError) in
            try reader.readString("pluginVersion")
        }
        outcome.capabilityVersion = try readOptional("capabilityVersion") { reader throws(ProtocolError) in
            try reader.readString("capabilityVersion")
        }
        return outcome
    }

    mutating func readRecord(_ field: String) throws(ProtocolError) -> JobRecord {
        let id = try readJobID("\(field).id")
        let capability = try readString("\(field).capability")
        let version = try readString("\(field).version")
        let submitter = try readPeer("\(field).submitter")
        let code = try readUInt8("\(field).status")
        guard let status = BinaryMessageCodec.status(code) else {
            throw failure("\(field).status", "is \(code), which is no job status")
        }
        let worker = try readOptional("\(field).worker") { reader throws(ProtocolError) in
            try reader.readPeer("\(field).worker")
        }
        let attempts = try readInt("\(field).attempts")
        let output = try readOptional("\(field).output") { reader throws(ProtocolError) in
            try reader.readData("\(field).output")
        }
        let message = try readOptional("\(field).message") { reader throws(ProtocolError) in
            try reader.readString("\(field).message")
        }
        return JobRecord(id: id, capability: capability, version: version, submitter: submitter, status: status,
                         worker: worker, attempts: attempts, output: output, message: message,
                         credits: try readInt("\(field).credits"), maxCredits: try readInt("\(field).maxCredits"),
                         submittedAt: try readInt64("\(field).submittedAt"),
                         finishedAt: try readOptional("\(field).finishedAt") { reader throws(ProtocolError) in
                             try reader.readInt64("\(field).finishedAt")
                         })
    }

    mutating func readSubmission(_ field: String) throws(ProtocolError) -> Submission {
        let id = try readJobID("\(field).id")
        let capability = try readString("\(field).request.capability")
        let version = try readString("\(field).request.version")
        let input = try readData("\(field).request.input")
        let timeout = try readInt("\(field).request.timeoutSeconds")
        let maxCredits = try readInt("\(field).request.maxCredits")
        let labelCount = try readCount("\(field).request.labels", minimumSize: 8, limit: 1024)
        var labels: [String: String] = [:]
        for _ in 0..<labelCount {
            let key = try readString("\(field).request.labels")
            let value = try readString("\(field).request.labels.\(key)")
            guard labels.updateValue(value, forKey: key) == nil else {
                throw failure("\(field).request.labels", "names '\(key)' twice")
            }
        }
        let requirements = try readOptional("\(field).request.requirements") { reader throws(ProtocolError) in
            try reader.readString("\(field).request.requirements")
        }
        let rank = try readOptional("\(field).request.rank") { reader throws(ProtocolError) in
            try reader.readString("\(field).request.rank")
        }
        let queueTimeout = try readOptional("\(field).request.queueTimeoutSeconds") { reader throws(ProtocolError) in
            try reader.readInt("\(field).request.queueTimeoutSeconds")
        }
        let redundancy = try readOptional("\(field).request.redundancy") { reader throws(ProtocolError) in
            try reader.readInt("\(field).request.redundancy")
        }
        let quorum = try readOptional("\(field).request.quorum") { reader throws(ProtocolError) in
            try reader.readInt("\(field).request.quorum")
        }
        let request = JobRequest(capability: capability, version: version, input: input, timeoutSeconds: timeout,
                                 maxCredits: maxCredits, labels: labels, requirements: requirements, rank: rank,
                                 queueTimeoutSeconds: queueTimeout, redundancy: redundancy, quorum: quorum)
        return Submission(id: id, request: request, escrowTimestamp: try readInt64("\(field).escrowTimestamp"),
                          escrowSignature: try readData("\(field).escrowSignature"))
    }
}

extension BinaryMessageCodec {
    /// Job statuses on the wire, one byte each.
    static func statusCode(_ status: JobStatus) -> UInt8 {
        switch status {
        case .queued: return 0
        case .running: return 1
        case .succeeded: return 2
        case .failed: return 3
        case .cancelled: return 4
        }
    }

    static func status(_ code: UInt8) -> JobStatus? {
        switch code {
        case 0: return .queued
        case 1: return .running
        case 2: return .succeeded
        case 3: return .failed
        case 4: return .cancelled
        default: return nil
        }
    }
}
