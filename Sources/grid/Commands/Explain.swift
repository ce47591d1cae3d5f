import ArgumentParser
import Foundation
import GridClient
import GridCore

struct Explain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain why a job waits, clause by clause, or what happened to each of its attempts.",
        discussion: """
            For a queued job: how many workers are connected and, for each part of its request (capability, version \
            range, labels, requirements, the workers' accept policies, maxCredits, free slots), how many workers it \
            rules out and which, the smallest change that would let it run, and its place in fair-share order. For \
            any job that ran: every attempt with its worker, start, end, outcome, reason and output digest. Only the \
            job's submitter may ask (docs/explain.md).
            """)

    @OptionGroup var query: QueryOptions
    @Argument(help: "The job id.") var job: String

    func run() async throws {
        let id = try parseJobID(job)
        let explanation = try await query.withSession { try await $0.explain(id) }
        say(query.json ? JobPresentation.json(explanation) : explanation.text)
    }
}
