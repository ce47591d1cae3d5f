import ArgumentParser
import Foundation
import GridClient
import GridCore

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
