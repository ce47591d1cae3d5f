import Foundation
import Testing
@testable import GridCore

@Suite("JobID")
struct JobIDTests {
    @Test("accepts 1 to 64 characters of a-z, 0-9 and '-'", arguments: [
        "a", "0", "-", "0123456789abcdef", "job-42", String(repeating: "z", count: 64), "abcdefghijklmnopqrstuvwxyz",
    ])
    func accepts(text: String) throws {
        let id = try #require(JobID(text))
        #expect(id.rawValue == text)
        #expect(id.description == text)
    }

    @Test("rejects anything else", arguments: [
        "", String(repeating: "a", count: 65), "ABC", "job_1", "job 1", "job.1", "jöb", "a/b", "../x", "a\n", "é",
    ])
    func rejects(text: String) {
        #expect(JobID(text) == nil)
    }

    @Test("random bytes give lowercase hex")
    func randomBytes() throws {
        let id = JobID(randomBytes: [0x00, 0x01, 0xab, 0xcd, 0xef, 0x10, 0x7f, 0xff])
        #expect(id.rawValue == "0001abcdef107fff")
        #expect(JobID(id.rawValue) == id)
    }

    @Test("time-ordered ids: 12 hex digits of milliseconds, then the random bytes; later ids sort later")
    func timeOrdered() throws {
        let id = JobID(millis: 0x0123_4567_89ab, randomBytes: [0xff, 0, 1, 2, 3, 4])
        #expect(id.rawValue == "0123456789abff0001020304")
        #expect(JobID(id.rawValue) == id)
        let earlier = JobID(millis: 1_796_000_000_000, randomBytes: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
        let later = JobID(millis: 1_796_000_000_001, randomBytes: [0, 0, 0, 0, 0, 0])
        #expect(earlier < later)
        #expect(JobID(millis: -5, randomBytes: [7]).rawValue == "00000000000007")
    }

    @Test("orders by raw value")
    func order() throws {
        let a = try #require(JobID("aaa"))
        let b = try #require(JobID("aab"))
        #expect(a < b)
        #expect(!(b < a))
        #expect([b, a].sorted() == [a, b])
    }

    @Test("codes as a JSON string")
    func codable() throws {
        let id = try #require(JobID("job-7"))
        let data = try JSONEncoder().encode([id])
        #expect(String(decoding: data, as: UTF8.self) == #"["job-7"]"#)
        #expect(try JSONDecoder().decode([JobID].self, from: data) == [id])
    }

    @Test("decoding a bad id says what an id looks like")
    func decodingRejects() {
        do {
            _ = try JSONDecoder().decode([JobID].self, from: Data(#"["Not An ID"]"#.utf8))
            Issue.record("a bad id decoded")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.debugDescription.contains("a-z, 0-9 and '-'"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
