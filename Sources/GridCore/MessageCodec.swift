import Foundation

/// Encodes and decodes `Message`s: the messages sent once or more per job (assignments, outcomes, batches of
/// submissions and their answers, results) in their binary form (`BinaryMessageCodec`), the others in their versioned
/// JSON envelope; several messages can share one payload as a batch. docs/wire.md, "Messages".
public enum MessageCodec {
    /// The version of the JSON envelope.
    public static let version = 1
    /// The size a batch of messages grows to before `payloads(for:)` starts another.
    public static let batchTargetSize = 1 << 20

    private struct Header: Decodable {
        var v: Int
        var type: String
    }

    private struct Envelope<Body: Codable>: Codable {
        var v: Int
        var type: String
        var body: Body
    }

    private struct WaitBody: Codable { var job: JobID; var timeoutMillis: Int }
    private struct GrantBody: Codable { var grantedCredits: Int }
    private struct Empty: Codable {}
    private struct Text: Codable { var message: String }
    private struct Count: Codable { var credits: Int }
    private struct ManyBody: Codable { var submissions: [Submission]; var subscribe: Bool }
    private struct Subscribed: Codable { var count: Int }
    private struct ReceiptBody: Codable { var json: Data }

    /// One message's payload: binary when it has a binary form, else its JSON envelope.
    public static func encode(_ message: Message) -> [UInt8] {
        if let binary = BinaryMessageCodec.encode(message) { return binary }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func wrap<Body: Codable>(_ type: String, _ body: Body) -> [UInt8] {
            // Encoding our own value types cannot fail.
            (try? Array(encoder.encode(Envelope(v: version, type: type, body: body)))) ?? []
        }
        switch message {
        case .register(let ad): return wrap("register", ad)
        case .outcome(let outcome): return wrap("outcome", outcome)
        case .advertise(let ad): return wrap("advertise", ad)
        case .heartbeat: return wrap("heartbeat", Empty())
        case .registered(let granted): return wrap("registered", GrantBody(grantedCredits: granted))
        case .assign(let assignment): return wrap("assign", assignment)
        case .submit(let submission): return wrap("submit", submission)
        case .status(let id): return wrap("status", id)
        case .wait(let id, let timeout): return wrap("wait", WaitBody(job: id, timeoutMillis: timeout))
        case .cancel(let id): return wrap("cancel", id)
        case .listJobs: return wrap("list-jobs", Empty())
        case .listPeers: return wrap("list-peers", Empty())
        case .balance(let peer): return wrap("balance", peer)
        case .job(let record): return wrap("job", record)
        case .jobs(let records): return wrap("jobs", records)
        case .peers(let peers): return wrap("peers", peers)
        case .credits(let credits): return wrap("credits", Count(credits: credits))
        case .failure(let text): return wrap("failure", Text(message: text))
        case .submitMany(let submissions, let subscribe):
            return wrap("submit-many", ManyBody(submissions: submissions, subscribe: subscribe))
        case .subscribe(let ids): return wrap("subscribe", ids)
        case .submitted(let answers): return wrap("submitted", answers)
        case .subscribed(let count): return wrap("subscribed", Subscribed(count: count))
        case .result(let record): return wrap("result", record)
        case .ledgerPull(let pull): return wrap("ledger-pull", pull)
        case .ledgerReceipt(let id): return wrap("ledger-receipt", id)
        case .ledgerPage(let page): return wrap("ledger-page", page)
        case .receipt(let json): return wrap("receipt", ReceiptBody(json: json))
        case .cosign(let cosignature): return wrap("cosign", cosignature)
        case .cosigned(let count): return wrap("cosigned", Subscribed(count: count))
        case .explain(let id): return wrap("explain", id)
        case .explanation(let explanation): return wrap("explanation", explanation)
        }
    }

    /// The payloads carrying `messages` in order: one message alone, or batches of them, each batch closed once it
    /// reaches `batchTargetSize` bytes (a single larger message travels alone).
    public static func payloads(for messages: [Message]) -> [[UInt8]] {
        var payloads: [[UInt8]] = []
        var batch: [[UInt8]] = []
        var size = 0
        func close() {
            if batch.count == 1 {
                payloads.append(batch[0])
            } else if batch.count > 1 {
                payloads.append(BinaryMessageCodec.encode(batch: batch))
            }
            batch = []
            size = 0
        }
        for message in messages {
            let encoded = encode(message)
            if !batch.isEmpty, size + encoded.count > batchTargetSize || batch.count == Message.maxBatch { close() }
            batch.append(encoded)
            size += encoded.count + 4
        }
        close()
        return payloads
    }

    /// Every message of a payload: one, or all those of a batch, in order.
    public static func decodeAll(_ bytes: [UInt8]) throws(ProtocolError) -> [Message] {
        guard BinaryMessageCodec.isBinary(bytes), try BinaryMessageCodec.kind(of: bytes) == .batch else {
            return [try decode(bytes)]
        }
        var messages: [Message] = []
        for (index, part) in try BinaryMessageCodec.split(batch: bytes).enumerated() {
            do {
                messages.append(try decode(part))
            } catch {
                throw ProtocolError("message \(index) of a batch: \(error.description)")
            }
        }
        return messages
    }

    /// Decodes one message, binary or JSON; a batch is refused (see `decodeAll`).
    public static func decode(_ bytes: [UInt8]) throws(ProtocolError) -> Message {
        if BinaryMessageCodec.isBinary(bytes) { return try BinaryMessageCodec.decode(bytes) }
        let data = Data(bytes)
        let decoder = JSONDecoder()
        let header: Header
        do {
            header = try decoder.decode(Header.self, from: data)
        } catch {
            throw ProtocolError("the message is not a PeerGrid envelope ({\"v\", \"type\", \"body\"})")
        }
        guard header.v == version else {
            throw ProtocolError("message version \(header.v) is not supported (this peer speaks version \(version))")
        }
        func body<Body: Codable>(_ type: Body.Type) throws(ProtocolError) -> Body {
            do {
                return try decoder.decode(Envelope<Body>.self, from: data).body
            } catch {
                throw ProtocolError("the body of a '\(header.type)' message is malformed: \(describe(error))")
            }
        }
        switch header.type {
        case "register": return .register(try body(WorkerAd.self))
        case "outcome": return .outcome(try body(JobOutcome.self))
        case "advertise": return .advertise(try body(WorkerAd.self))
        case "heartbeat": return .heartbeat
        case "registered": return .registered(grantedCredits: try body(GrantBody.self).grantedCredits)
        case "assign": return .assign(try body(Assignment.self))
        case "submit": return .submit(try body(Submission.self))
        case "status": return .status(try body(JobID.self))
        case "wait":
            let wait = try body(WaitBody.self)
            return .wait(wait.job, timeoutMillis: wait.timeoutMillis)
        case "cancel": return .cancel(try body(JobID.self))
        case "list-jobs": return .listJobs
        case "list-peers": return .listPeers
        case "balance": return .balance(try body(PeerID.self))
        case "job": return .job(try body(JobRecord.self))
        case "jobs": return .jobs(try body([JobRecord].self))
        case "peers": return .peers(try body([PeerInfo].self))
        case "credits": return .credits(try body(Count.self).credits)
        case "failure": return .failure(try body(Text.self).message)
        case "submit-many":
            let many = try body(ManyBody.self)
            return .submitMany(many.submissions, subscribe: many.subscribe)
        case "subscribe": return .subscribe(try body([JobID].self))
        case "submitted": return .submitted(try body([SubmissionAnswer].self))
        case "subscribed": return .subscribed(try body(Subscribed.self).count)
        case "result": return .result(try body(JobRecord.self))
        case "ledger-pull": return .ledgerPull(try body(LedgerPull.self))
        case "ledger-receipt": return .ledgerReceipt(try body(JobID.self))
        case "ledger-page": return .ledgerPage(try body(LedgerPage.self))
        case "receipt": return .receipt(try body(ReceiptBody.self).json)
        case "cosign": return .cosign(try body(LedgerCosignature.self))
        case "cosigned": return .cosigned(try body(Subscribed.self).count)
        case "explain": return .explain(try body(JobID.self))
        case "explanation": return .explanation(try body(JobExplanation.self))
        default: throw ProtocolError("unknown message type '\(header.type)'")
        }
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing '\(path(context.codingPath + [key]))'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
             DecodingError.dataCorrupted(let context):
            return "'\(path(context.codingPath))': \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }

    /// `body.peers.0.ad`: array positions as plain numbers rather than Foundation's "Index 0".
    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { key in key.intValue.map(String.init) ?? key.stringValue }.joined(separator: ".")
    }
}
