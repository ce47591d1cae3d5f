import Foundation
import GridCore

/// How jobs are shown: the JSON object scripts read, and short text for people.
struct JobPresentation: Encodable {
    var job: String
    var status: String
    var capability: String
    var version: String
    var worker: String?
    var attempts: Int
    var output: String?
    /// "base64" when the output is not UTF-8 text.
    var encoding: String?
    var message: String?
    var credits: Int
    var maxCredits: Int
    var submitter: String
    /// Where a job of a batch came from: its spec file, or `file:line` of `--inputs`.
    var source: String?

    init(_ record: JobRecord) {
        job = record.id.rawValue
        status = record.status.rawValue
        capability = record.capability
        version = record.version
        worker = record.worker?.hex
        attempts = record.attempts
        if let data = record.output {
            if let text = String(data: data, encoding: .utf8) {
                output = text
            } else {
                output = data.base64EncodedString()
                encoding = "base64"
            }
        }
        message = record.message
        credits = record.credits
        maxCredits = record.maxCredits
        submitter = record.submitter.hex
    }

    /// A job of a batch, with where it came from.
    init(_ record: JobRecord, source: String) {
        self.init(record)
        self.source = source
    }

    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "{}"
    }

    /// The first line of the output, cut to `width` characters, for tables.
    static func excerpt(_ record: JobRecord, width: Int = 40) -> String {
        guard let data = record.output else { return record.message.map { cut($0, width) } ?? "" }
        guard let text = String(data: data, encoding: .utf8) else { return "(\(data.count) bytes, binary)" }
        let firstLine = text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
        return cut(firstLine, width)
    }

    static func cut(_ text: String, _ width: Int) -> String {
        text.count <= width ? text : String(text.prefix(width - 1)) + "…"
    }
}
