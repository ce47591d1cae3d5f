import Foundation
import GridTestKit
import Testing
@testable import GridCore

/// Inputs the fuzz harnesses found (Tests/Fixtures/fuzz/, docs/fuzzing.md), replayed against the harness's invariant.
@Suite("Fuzz regressions: GridCore")
struct FuzzRegressionTests {
    /// The job-spec harness's invariant: a document StrictJSON passes is one Foundation reads, so no spec fails
    /// later with Foundation's error, which gives no line or column.
    @Test("job-spec inputs: what StrictJSON passes, Foundation reads",
          arguments: FuzzFixtures.inputs("job-spec").map(\.name))
    func jobSpecInputs(name: String) throws {
        let bytes = try FuzzFixtures.input("job-spec", name)
        guard (try? StrictJSON.check(bytes)) != nil else { return }
        #expect((try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil)
    }

    @Test("a lone low surrogate in a key is refused with its line and column (found by fuzz-job-spec)")
    func loneLowSurrogateKey() throws {
        let bytes = try FuzzFixtures.input("job-spec", "lone-low-surrogate-key.json")
        #expect(throws: JSONSyntaxError(line: 1, column: 51, reason:
            "'\\uDE80' is a lone surrogate: it must follow a high surrogate (\\uD800-\\uDBFF)")) {
            try StrictJSON.check(bytes)
        }
        let error = try #require(throws: JobSpecError.self) {
            try JobSpec.parse(Data(bytes), baseDirectory: "/nonexistent")
        }
        #expect(error.line == 1 && error.column == 51, "\(error)")
    }

    @Test("a number beyond a Double's range is refused with its position (found by fuzz-job-spec)")
    func numberBeyondDouble() throws {
        let bytes = try FuzzFixtures.input("job-spec", "number-beyond-double.json")
        #expect(throws: JSONSyntaxError(line: 1, column: 1, reason:
            "the number 0.5e+3888 is too large (beyond ±1.8e308)")) {
            try StrictJSON.check(bytes)
        }
        let spec = Data("{\"capability\": \"x\", \"input\": {\"text\": \"\"},\n \"maxCredits\": 1e400}".utf8)
        let error = try #require(throws: JobSpecError.self) {
            try JobSpec.parse(spec, baseDirectory: "/nonexistent")
        }
        #expect(error.line == 2 && error.column == 16, "\(error)")
    }
}
