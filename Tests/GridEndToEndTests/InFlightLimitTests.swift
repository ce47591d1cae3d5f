import Foundation
import GridTestKit
import Testing

/// The matchmaker's limit of jobs in flight per submitter, with a real `grid matchmaker`.
@Suite("Jobs in flight per submitter")
struct InFlightLimitTests {
    @Test("past --max-jobs-per-submitter a submission is refused with the reason, and room comes back as jobs end")
    func limitRefusesThenAdmits() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker(extra: ["--max-jobs-per-submitter", "2"])
            var ids: [String] = []
            for n in 0..<2 {
                let run = try await grid.grid(["submit", "--capability", "nobody.offers", "--text", "\(n)", "--json"])
                #expect(run.status == 0, "\(run.stderr)")
                ids.append(try #require(run.json()?["job"] as? String, "\(run.stdout)"))
            }
            let refused = try await grid.grid(["submit", "--capability", "nobody.offers", "--text", "x"])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("You already have 2 jobs queued or running, the most this matchmaker "
                + "takes from one submitter"), "\(refused.stderr)")
            // Another submitter is not held back by the first one's jobs.
            let other = try await GridRun.run(["submit", "--capability", "nobody.offers", "--text", "y",
                                               "--home", grid.folder.file("other"),
                                               "--matchmaker", grid.matchmakerAddress])
            #expect(other.status == 0, "\(other.stderr)")
            let cancelled = try await grid.grid(["cancel", ids[0]])
            #expect(cancelled.status == 0, "\(cancelled.stderr)")
            let admitted = try await grid.grid(["submit", "--capability", "nobody.offers", "--text", "z"])
            #expect(admitted.status == 0, "\(admitted.stderr)")
            #expect(grid.log("matchmaker.log").contains("submissions refused: too many jobs in flight"))
        }
    }
}
