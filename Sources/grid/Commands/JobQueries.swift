import ArgumentParser
import Foundation
import GridClient
import GridCore

/// Options shared by the commands that ask the matchmaker something.
struct QueryOptions: ParsableArguments {
    @OptionGroup var home: HomeOptions
    @OptionGroup var matchmaker: MatchmakerOption

    @Flag(help: "Print JSON.")
    var json = false

    func withSession<R: Sendable>(_ body: (GridClient.Session) async throws -> R) async throws -> R {
        let endpoint = try matchmaker.endpoint()
        let logger = try home.bootstrapLogging(defaultLevel: .warning)
        var client = GridClient(host: endpoint.host, port: endpoint.port, identity: try home.identity(), logger: logger)
        client.expectedMatchmaker = try matchmaker.expectedPeer()
        return try await ClientCall.run(endpoint) { try await client.withSession(body) }
    }
}

func parseJobID(_ text: String) throws -> JobID {
    guard let id = JobID(text) else { throw ValidationError("'\(text)' is not a job id") }
    return id
}

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a job's status and, if it waits, why.")

    @OptionGroup var query: QueryOptions
    @Argument(help: "The job id.") var job: String

    func run() async throws {
        let id = try parseJobID(job)
        let record = try await query.withSession { try await $0.status(id) }
        if query.json {
            say(JobPresentation.json(JobPresentation(record)))
            return
        }
        var table = Table("field", "value")
        table.add("job", record.id.rawValue)
        table.add("status", record.status.rawValue)
        table.add("capability", "\(record.capability) \(record.version)")
        table.add("worker", record.worker?.short ?? "-")
        table.add("attempts", "\(record.attempts)")
        table.add("credits", "\(record.credits) of \(record.maxCredits)")
        if let message = record.message { table.add("why", message) }
        say(table.render())
    }
}

struct Result: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a finished job's output.")

    @OptionGroup var query: QueryOptions
    @Argument(help: "The job id.") var job: String

    @Option(help: ArgumentHelp("Wait up to this many seconds for the job to finish.", valueName: "seconds"))
    var wait: Double = 0

    func run() async throws {
        let id = try parseJobID(job)
        let seconds = max(0, min(wait, 86_400))
        let record = try await query.withSession { session in
            seconds > 0 ? try await session.wait(id, timeout: .milliseconds(Int(seconds * 1000)))
                        : try await session.status(id)
        }
        try JobOutput.print(record, json: query.json, waited: true, timeout: seconds)
    }
}

struct Cancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Withdraw one of your queued jobs; its escrow is refunded.")

    @OptionGroup var query: QueryOptions
    @Argument(help: "The job id.") var job: String

    func run() async throws {
        let id = try parseJobID(job)
        let record = try await query.withSession { try await $0.cancel(id) }
        if query.json {
            say(JobPresentation.json(JobPresentation(record)))
        } else {
            say("job \(record.id) cancelled; \(record.maxCredits) credits refunded")
        }
    }
}

struct Jobs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List jobs, newest first.")

    @OptionGroup var query: QueryOptions

    func run() async throws {
        let records = try await query.withSession { try await $0.jobs() }
        if query.json {
            say(JobPresentation.json(records.map(JobPresentation.init)))
            return
        }
        var table = Table("JOB", "CAPABILITY", "STATUS", "WORKER", "CREDITS", "NOTE")
        for record in records {
            table.add(record.id.rawValue, record.capability, record.status.rawValue, record.worker?.short ?? "-",
                      "\(record.credits)/\(record.maxCredits)", JobPresentation.cut(record.message ?? "", 60))
        }
        say(table.render())
    }
}

struct Peers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List connected workers and their capabilities.")

    @OptionGroup var query: QueryOptions

    func run() async throws {
        let peers = try await query.withSession { try await $0.peers() }
        if query.json {
            say(JobPresentation.json(peers))
            return
        }
        var table = Table("PEER", "SLOTS", "RUNNING", "CORES", "MEMORY", "LABELS", "CAPABILITIES")
        for info in peers {
            let attributes = info.ad.attributes
            let labels = attributes.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            let capabilities = info.ad.capabilities.map { "\($0.name)@\($0.version)" }.joined(separator: " ")
            table.add(info.peer.short, "\(info.ad.slots)", "\(info.running)", "\(attributes.cores)",
                      "\(attributes.memoryGB) GB", labels.isEmpty ? "-" : labels, capabilities)
        }
        say(table.render())
    }
}
