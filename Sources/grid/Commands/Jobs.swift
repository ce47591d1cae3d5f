import ArgumentParser
import Foundation
import GridClient
import GridCore

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
