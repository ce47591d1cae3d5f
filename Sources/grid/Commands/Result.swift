import ArgumentParser
import Foundation
import GridClient
import GridCore

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
