import Foundation
import Testing
@testable import GridCore

@Suite("SubmissionAnswer")
struct SubmissionAnswerTests {
    static let peer = PeerID(publicKey: [UInt8](repeating: 0xaa, count: 32))
    static let record = JobRecord(id: JobID("job-1")!, capability: "hash.sha256", version: "*", submitter: peer,
                                  status: .queued, maxCredits: 1, submittedAt: 7)

    @Test("an accepted submission carries its job; a refused one its id and a sentence")
    func shape() throws {
        let accepted = try JSONSerialization.jsonObject(
            with: JSONEncoder().encode(SubmissionAnswer.accepted(Self.record))) as? [String: Any]
        #expect(accepted?["id"] as? String == "job-1")
        #expect((accepted?["job"] as? [String: Any])?["capability"] as? String == "hash.sha256")
        #expect(accepted?["refused"] == nil)
        let refused = try JSONSerialization.jsonObject(
            with: JSONEncoder().encode(SubmissionAnswer.refused(JobID("job-2")!, reason: "No."))) as? [String: Any]
        #expect(refused?["id"] as? String == "job-2")
        #expect(refused?["refused"] as? String == "No.")
        #expect(refused?["job"] == nil)
    }

    @Test("the id of an answer is its job's")
    func id() {
        #expect(SubmissionAnswer.accepted(Self.record).id == JobID("job-1")!)
        #expect(SubmissionAnswer.refused(JobID("job-2")!, reason: "No.").id == JobID("job-2")!)
    }
}
