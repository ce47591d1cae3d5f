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
        return try await ClientCall.run { try await client.withSession(body) }
    }
}

func parseJobID(_ text: String) throws -> JobID {
    guard let id = JobID(text) else { throw ValidationError("'\(text)' is not a job id") }
    return id
}
