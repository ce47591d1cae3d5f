import ArgumentParser
import Foundation
import GridClient
import GridCore

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
