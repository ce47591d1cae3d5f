import Foundation
import GridClient
import GridCore
import GridCrypto
import GridTestKit
import Logging
import Testing

/// The `GridConnection` API against a real matchmaker and workers.
@Suite("Client API", .serialized)
struct ClientAPITests {
    static let text = "libGridPluginText.so"

    static func identity(_ grid: TestGrid, _ name: String = "api-client") throws -> Identity {
        try Identity.loadOrCreate(at: grid.folder.file(name + "-identity")).identity
    }

    static func connect<R: Sendable>(_ grid: TestGrid, identity: Identity,
                                     _ body: (GridConnection) async throws -> R) async throws -> R {
        try await GridConnection.withConnection(host: "127.0.0.1", port: grid.port, identity: identity,
                                                matchmaker: grid.matchmakerPeer,
                                                logger: Logger(label: "grid.test.client"), body)
    }

    /// Collects `count` results, failing after `limit`.
    static func collect(_ count: Int, from connection: GridConnection,
                        limit: Duration = .seconds(120)) async throws -> [JobRecord] {
        try await withThrowingTaskGroup(of: [JobRecord]?.self) { group in
            group.addTask {
                var records: [JobRecord] = []
                for try await record in connection.results {
                    records.append(record)
                    if records.count == count { break }
                }
                return records
            }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return try #require(first, "only some of \(count) results arrived within \(limit)")
        }
    }

    @Test("200 jobs submitted in batches to two workers each come back exactly once in results")
    func twoHundredJobs() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker(extra: ["--grant", "100000"])
            let a = try await grid.startWorker("a", plugins: [Self.text])
            let b = try await grid.startWorker("b", plugins: [Self.text])
            let identity = try Self.identity(grid)
            let requests = (0..<200).map { JobRequest(capability: "text.uppercase", input: Data("job \($0)".utf8),
                                                      maxCredits: 2) }
            let records = try await Self.connect(grid, identity: identity) { connection in
                var answers: [SubmissionAnswer] = []
                for start in stride(from: 0, to: requests.count, by: 50) {
                    answers += try await connection.submit(Array(requests[start..<start + 50]))
                }
                #expect(answers.count == 200)
                for answer in answers {
                    guard case .accepted(let record) = answer else {
                        Issue.record("refused: \(answer)")
                        continue
                    }
                    #expect(record.submitter == identity.peerID)
                }
                let records = try await Self.collect(200, from: connection)
                #expect(await connection.pending == 0)
                return (records, answers.map(\.id))
            }
            #expect(Set(records.0.map(\.id)) == Set(records.1))
            #expect(records.0.count == 200)
            #expect(records.0.allSatisfy { $0.status == .succeeded })
            let outputs = Set(records.0.compactMap { $0.output.map { String(decoding: $0, as: UTF8.self) } })
            #expect(outputs == Set((0..<200).map { "JOB \($0)" }))
            let workers = Set(records.0.compactMap(\.worker))
            #expect(workers == [a.peer, b.peer])
        }
    }

    @Test("a refused submission gets a sentence while the rest of its batch runs")
    func refusedInBatch() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            try await grid.startWorker("a", plugins: [Self.text])
            let identity = try Self.identity(grid)
            try await Self.connect(grid, identity: identity) { connection in
                let answers = try await connection.submit([
                    JobRequest(capability: "text.uppercase", input: Data("ok".utf8), maxCredits: 1),
                    JobRequest(capability: "text.uppercase", input: Data("too dear".utf8), maxCredits: 5_000),
                    JobRequest(capability: "text.uppercase", input: Data("fine".utf8), maxCredits: 1),
                ])
                #expect(answers.count == 3)
                guard case .refused(_, let reason) = answers[1] else {
                    Issue.record("the dear job was accepted: \(answers[1])")
                    return
                }
                #expect(reason.hasSuffix("."), "\(reason)")
                #expect(!reason.isEmpty)
                let records = try await Self.collect(2, from: connection)
                #expect(Set(records.map(\.id)) == [answers[0].id, answers[2].id])
                #expect(await connection.pending == 0)
            }
        }
    }

    @Test("a cancelled job arrives in results as cancelled; a watched job arrives once it finishes")
    func cancelAndWatch() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            let identity = try Self.identity(grid)
            try await Self.connect(grid, identity: identity) { connection in
                let waiting = try await connection.submit(
                    JobRequest(capability: "image.thumbnail", input: Data("x".utf8), maxCredits: 1))
                let cancelled = try await connection.cancel(waiting.id)
                #expect(cancelled.status == .cancelled)
                let records = try await Self.collect(1, from: connection)
                #expect(records.map(\.id) == [waiting.id])
                #expect(records.first?.status == .cancelled)
            }
            // A job submitted on another connection, watched on this one.
            var client = GridClient(host: "127.0.0.1", port: grid.port, identity: identity,
                                    logger: Logger(label: "grid.test.client"))
            client.expectedMatchmaker = grid.matchmakerPeer
            let other = try await client.submit(try client.submission(
                for: JobRequest(capability: "text.uppercase", input: Data("later".utf8), maxCredits: 1)))
            try await client.connect { connection in
                try await connection.watch([other.id])
                try await grid.startWorker("a", plugins: [Self.text])
                let records = try await Self.collect(1, from: connection)
                #expect(records.first?.id == other.id)
                #expect(records.first?.output == Data("LATER".utf8))
            }
        }
    }

    @Test("after the matchmaker restarts, unfinished jobs are sent again and every result still arrives once")
    func reconnects() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            let identity = try Self.identity(grid)
            try await Self.connect(grid, identity: identity) { connection in
                let requests = (0..<20).map {
                    JobRequest(capability: "text.uppercase", input: Data("r\($0)".utf8), maxCredits: 1)
                }
                let answers = try await connection.submit(requests)
                #expect(answers.allSatisfy { if case .accepted = $0 { true } else { false } })
                let port = grid.port
                _ = await grid.stopMatchmaker()
                try await grid.startMatchmaker(port: port)
                try await grid.startWorker("a", plugins: [Self.text])
                let records = try await Self.collect(20, from: connection)
                #expect(Set(records.map(\.id)) == Set(answers.map(\.id)))
                #expect(records.allSatisfy { $0.status == .succeeded })
            }
        }
    }

    @Test("a matchmaker that cannot be reached fails the connection at once")
    func unreachable() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let identity = try Identity.loadOrCreate(at: folder.file("identity")).identity
        await #expect(throws: (any Error).self) {
            try await GridConnection.withConnection(host: "127.0.0.1", port: 1, identity: identity) { _ in }
        }
    }
}
