import GridCore
import GridLedger

/// A result entry's record as `ledger show --json` prints it.
struct ResultPresentation: Encodable {
    var verdict: String
    var capability: String
    var capabilityVersion: String
    var plugin: String
    var pluginVersion: String
    var pluginSHA256: String?
    var outputSHA256: String?
    var failure: String?
    var cpuMillis: Int64
    var attempt: UInt32

    init(_ record: ResultRecord) {
        verdict = record.verdict.description
        capability = record.capability
        capabilityVersion = record.capabilityVersion
        plugin = record.plugin
        pluginVersion = record.pluginVersion
        pluginSHA256 = record.pluginDigest.map(Hex.encode)
        outputSHA256 = record.outputDigest.map(Hex.encode)
        failure = record.failure
        cpuMillis = record.cpuMillis
        attempt = record.attempt
    }
}

/// `grid ledger show --job JOB` for people: the job's entries, each result spelled out.
enum LedgerJobPresentation {
    static func render(_ entries: [LedgerEntry]) -> String {
        var lines: [String] = []
        for entry in entries {
            let body = entry.body
            guard let result = body.result else {
                lines.append("\(entry.seq)  \(body.kind.rawValue) of \(body.amount) credits from "
                             + "\(LedgerCommand.Show.short(body.from)) to \(LedgerCommand.Show.short(body.to))")
                continue
            }
            let worker = body.to.peer.map { "worker \($0.short)" } ?? "no worker"
            lines.append("\(entry.seq)  result, \(result.verdict), \(worker), attempt \(result.attempt)")
            lines.append("      capability \(result.capability) \(result.capabilityVersion)".trimmingTrailing())
            if !result.plugin.isEmpty {
                let digest = result.pluginDigest.map { ", sha256 \(Hex.encode($0))" } ?? ""
                lines.append("      plugin \(result.plugin) \(result.pluginVersion)\(digest)")
            }
            if let output = result.outputDigest {
                lines.append("      output sha256 \(Hex.encode(output))")
            }
            if let failure = result.failure {
                lines.append("      failure: \(failure)")
            }
            lines.append("      cpu \(result.cpuMillis) ms")
        }
        return lines.joined(separator: "\n")
    }
}

private extension String {
    func trimmingTrailing() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
