import Foundation
import FuzzSupport
import GridCore

/// Fuzzes the job spec parser: `StrictJSON.check` and `JobSpec.parse`. A document StrictJSON accepts must be one
/// Foundation can read too (StrictJSON is the stricter of the two), and a spec that parses must describe a job that
/// can be encoded and decoded as a submission.
enum JobSpecHarness {
    /// `input.file` reads from here: an empty folder, and absolute paths are skipped, so what a run finds does not
    /// depend on the machine's files.
    static let emptyFolder: String = {
        let path = NSTemporaryDirectory() + "/grid-fuzz-job-spec-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    static func run(_ bytes: [UInt8]) {
        let data = Data(bytes)
        guard (try? StrictJSON.check(bytes)) != nil else {
            _ = try? JobSpec.parse(data, baseDirectory: emptyFolder)
            return
        }
        let parsed = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        fuzzCheck(parsed != nil, "StrictJSON accepted a document Foundation refuses")
        if let object = parsed as? [String: Any], let input = object["input"] as? [String: Any],
           let file = input["file"] as? String, file.hasPrefix("/") {
            return
        }
        guard let request = try? JobSpec.parse(data, baseDirectory: emptyFolder) else { return }
        let submission = Submission(id: JobID(randomBytes: [1, 2, 3, 4]), request: request, escrowTimestamp: 0,
                                    escrowSignature: Data())
        let decoded = try? MessageCodec.decode(MessageCodec.encode(.submit(submission)))
        fuzzCheck(decoded == .submit(submission), "a parsed spec does not survive encoding as a submission")
    }

    static func seeds() -> [String: [UInt8]] {
        [
            "primes": utf8("""
                {
                  "description": "Count the primes below two million.",
                  "capability": "primes.count",
                  "version": ">=1.0.0 <2.0.0",
                  "input": { "text": "2000000" },
                  "timeoutSeconds": 60,
                  "maxCredits": 10
                }
                """),
            "base64-labels": utf8("""
                {"capability": "hash.sha256", "input": {"base64": "aGVsbG8="}, "labels": {"zone": "eu"},
                 "requirements": "cores >= 2 && labels.zone == \\"eu\\"", "rank": "-load",
                 "queueTimeoutSeconds": 30}
                """),
            "file": utf8(#"{"capability": "text.upper", "input": {"file": "missing.txt"}}"#),
            "escapes": utf8(#"{"capability": "a\u00e9\ud83d\ude80", "input": {"text": "\"\\\/\b\f\n\r\t"}}"#),
            "numbers": utf8(#"{"capability": "x", "input": {"text": ""}, "maxCredits": -0.5e+3, "#
                            + #""timeoutSeconds": 1E2}"#),
            "duplicate": utf8(#"{"capability": "x", "capability": "y"}"#),
            "trailing-comma": utf8(#"{"capability": "x",}"#),
            "nested": utf8(#"[[[[{"a": [true, false, null]}]]]]"#),
        ]
    }
}
