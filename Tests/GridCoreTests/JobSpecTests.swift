import Foundation
import Testing
@testable import GridCore

@Suite("JobSpec")
struct JobSpecTests {
    /// Parses `json` with an unused base directory.
    static func parse(_ json: String, baseDirectory: String = "/nonexistent-grid-dir")
        throws(JobSpecError) -> JobRequest {
        try JobSpec.parse(Data(json.utf8), baseDirectory: baseDirectory)
    }

    /// Parses `json` expecting a failure and returns it.
    static func failure(_ json: String, baseDirectory: String = "/nonexistent-grid-dir") -> JobSpecError? {
        do {
            let request = try parse(json, baseDirectory: baseDirectory)
            Issue.record("parsed \(request)")
            return nil
        } catch {
            return error
        }
    }

    @Test("a minimal spec gets the defaults")
    func minimal() throws {
        let request = try Self.parse(#"{"capability": "text.upper", "input": {"text": "hi"}}"#)
        #expect(request.capability == "text.upper")
        #expect(request.input == Data("hi".utf8))
        #expect(request.version == "*")
        #expect(request.timeoutSeconds == JobRequest.defaultTimeoutSeconds)
        #expect(request.maxCredits == JobRequest.defaultMaxCredits)
        #expect(request.labels.isEmpty)
        #expect(request.requirements == nil)
        #expect(request.rank == nil)
    }

    @Test("every field is read")
    func everyField() throws {
        let request = try Self.parse("""
            {
              "capability": "hash.sha256",
              "version": ">=1.0.0 <2.0.0",
              "input": {"text": "héllo\\n"},
              "timeoutSeconds": 120,
              "maxCredits": 25,
              "labels": {"zone": "eu", "gpu.kind": "none"},
              "requirements": "cores >= 4",
              "rank": "memory_gb",
              "description": "a test job"
            }
            """)
        #expect(request == JobRequest(
            capability: "hash.sha256", version: ">=1.0.0 <2.0.0", input: Data("héllo\n".utf8), timeoutSeconds: 120,
            maxCredits: 25, labels: ["zone": "eu", "gpu.kind": "none"], requirements: "cores >= 4",
            rank: "memory_gb"))
    }

    @Test("base64 input is decoded")
    func base64Input() throws {
        let request = try Self.parse(#"{"capability": "hash.sha256", "input": {"base64": "AAH/gA=="}}"#)
        #expect(request.input == Data([0x00, 0x01, 0xff, 0x80]))
        let empty = try Self.parse(#"{"capability": "hash.sha256", "input": {"base64": ""}}"#)
        #expect(empty.input.isEmpty)
    }

    @Test("a whole number written as 30.0 is accepted")
    func wholeFloat() throws {
        let request = try Self.parse(#"{"capability": "a", "input": {"text": ""}, "timeoutSeconds": 30.0}"#)
        #expect(request.timeoutSeconds == 30)
    }

    // MARK: Document-level errors

    @Test("text that is not JSON is refused without a field", arguments: [
        "", "{", "not json", #"{"capability": }"#, "{'capability': 'a'}", "\u{FF}\u{FE}",
    ])
    func notJSON(text: String) throws {
        let error = try #require(Self.failure(text))
        #expect(error.field == nil)
        #expect(error.reason.hasPrefix("is not valid JSON"))
    }

    @Test("a trailing comma or a duplicate key is refused with its line and column")
    func strictSyntax() throws {
        let trailing = try #require(Self.failure("""
            {
              "capability": "text.upper",
              "input": {"text": "hi"},
            }
            """))
        #expect(trailing.line == 4 && trailing.column == 1)
        #expect(trailing.description
                == "line 4, column 1: is not valid JSON: a trailing comma is not allowed before '}'")
        var duplicate = try #require(Self.failure("""
            {"capability": "text.upper", "input": {"text": "hi"},
             "maxCredits": 5, "maxCredits": 500}
            """))
        duplicate.file = "Jobs/x.json"
        #expect(duplicate.description
                == #"Jobs/x.json:2:19: is not valid JSON: duplicate key "maxCredits" (first at line 2, column 2)"#)
    }

    @Test("queueTimeoutSeconds is read and checked")
    func queueTimeout() throws {
        let request = try Self.parse(#"{"capability": "a.b", "input": {"text": ""}, "queueTimeoutSeconds": 30}"#)
        #expect(request.queueTimeoutSeconds == 30)
        #expect(try Self.parse(#"{"capability": "a.b", "input": {"text": ""}}"#).queueTimeoutSeconds == nil)
        let zero = #"{"capability": "a.b", "input": {"text": ""}, "queueTimeoutSeconds": 0}"#
        let error = try #require(Self.failure(zero))
        #expect(error.field == "queueTimeoutSeconds")
        #expect(error.reason.hasPrefix("must be from 1 to"))
    }

    @Test("JSON that is not an object is refused", arguments: ["[]", #"[{"capability": "a"}]"#])
    func notObject(text: String) throws {
        let error = try #require(Self.failure(text))
        #expect(error.field == nil)
        #expect(error.reason == "must be a JSON object")
    }

    @Test("a bare JSON value is refused without a crash", arguments: ["42", #""text""#, "null", "true"])
    func fragments(text: String) throws {
        let error = try #require(Self.failure(text))
        #expect(error.field == nil)
    }

    @Test("an unknown field is named and the known ones listed")
    func unknownField() throws {
        let error = try #require(Self.failure(#"{"capability": "a", "input": {"text": ""}, "timeout": 5}"#))
        #expect(error.field == "timeout")
        #expect(error.reason.contains("is not a job spec field"))
        #expect(error.reason.contains("timeoutSeconds"))
        #expect(error.description.hasPrefix("field 'timeout' is not a job spec field"))
    }

    @Test("an unknown field is reported before a missing one")
    func unknownBeforeMissing() throws {
        let error = try #require(Self.failure(#"{"capabilty": "a"}"#))
        #expect(error.field == "capabilty")
    }

    // MARK: Required fields

    @Test("a missing capability is named")
    func missingCapability() throws {
        let error = try #require(Self.failure(#"{"input": {"text": "x"}}"#))
        #expect(error.field == "capability")
        #expect(error.reason == "is required")
        let empty = try #require(Self.failure("{}"))
        #expect(empty.field == "capability")
    }

    @Test("a missing input is named and the three kinds listed")
    func missingInput() throws {
        let error = try #require(Self.failure(#"{"capability": "a"}"#))
        #expect(error.field == "input")
        #expect(error.reason.contains("is required"))
        #expect(error.reason.contains("text") && error.reason.contains("base64") && error.reason.contains("file"))
    }

    // MARK: Field types

    /// A spec with one field replaced, and the field the error must name.
    static let wrongTypes: [(String, String)] = [
        (#"{"capability": 7, "input": {"text": ""}}"#, "capability"),
        (#"{"capability": null, "input": {"text": ""}}"#, "capability"),
        (#"{"capability": "a", "version": 1, "input": {"text": ""}}"#, "version"),
        (#"{"capability": "a", "input": {"text": 5}}"#, "input.text"),
        (#"{"capability": "a", "input": {"base64": ["AA=="]}}"#, "input.base64"),
        (#"{"capability": "a", "input": {"file": false}}"#, "input.file"),
        (#"{"capability": "a", "input": {"text": ""}, "requirements": true}"#, "requirements"),
        (#"{"capability": "a", "input": {"text": ""}, "rank": 1.5}"#, "rank"),
        (#"{"capability": "a", "input": {"text": ""}, "description": {}}"#, "description"),
    ]

    @Test("a non-string where a string belongs is named", arguments: wrongTypes)
    func notAString(json: String, field: String) throws {
        let error = try #require(Self.failure(json))
        #expect(error.field == field)
        #expect(error.reason == "must be a string")
    }

    // MARK: Input

    @Test("input that is not an object is refused", arguments: [#""hello""#, "[]", "42", "null"])
    func inputNotObject(value: String) throws {
        let error = try #require(Self.failure(#"{"capability": "a", "input": \#(value)}"#))
        #expect(error.field == "input")
        #expect(error.reason.contains("must be an object"))
    }

    @Test("input with two kinds or none is refused naming the kinds given")
    func inputKindCount() throws {
        let two = try #require(Self.failure(#"{"capability": "a", "input": {"text": "x", "base64": "AA=="}}"#))
        #expect(two.field == "input")
        #expect(two.reason.contains("exactly one"))
        #expect(two.reason.contains("base64") && two.reason.contains("text"))
        let none = try #require(Self.failure(#"{"capability": "a", "input": {}}"#))
        #expect(none.field == "input")
        #expect(none.reason.contains("exactly one"))
    }

    @Test("an unknown input kind is named")
    func unknownInputKind() throws {
        let error = try #require(Self.failure(#"{"capability": "a", "input": {"url": "http://x"}}"#))
        #expect(error.field == "input.url")
        #expect(error.reason.contains("is not an input kind"))
    }

    @Test("bad base64 is refused", arguments: ["not base64!", "AAA", "A===", "@@@@"])
    func badBase64(text: String) throws {
        let error = try #require(Self.failure(#"{"capability": "a", "input": {"base64": "\#(text)"}}"#))
        #expect(error.field == "input.base64")
        #expect(error.reason == "is not valid base64")
    }

    @Test("a file input is read relative to the base directory, or absolute")
    func fileInput() throws {
        let folder = try CoreTestFolder()
        defer { folder.remove() }
        let bytes = Data([0, 1, 2, 3, 254, 255])
        let absolute = try folder.write("data/input.bin", bytes)
        let relative = try Self.parse(#"{"capability": "a", "input": {"file": "data/input.bin"}}"#,
                                      baseDirectory: folder.path)
        #expect(relative.input == bytes)
        let fromAbsolute = try Self.parse(#"{"capability": "a", "input": {"file": "\#(absolute)"}}"#)
        #expect(fromAbsolute.input == bytes)
    }

    @Test("a missing file or a folder is refused naming the file")
    func missingFile() throws {
        let folder = try CoreTestFolder()
        defer { folder.remove() }
        try FileManager.default.createDirectory(atPath: folder.file("sub"), withIntermediateDirectories: true)
        for name in ["nope.bin", "sub", "sub/"] {
            let error = try #require(Self.failure(#"{"capability": "a", "input": {"file": "\#(name)"}}"#,
                                                  baseDirectory: folder.path))
            #expect(error.field == "input.file")
            #expect(error.reason.contains("'\(name)'"))
        }
    }

    @Test("a device or a FIFO is refused, not read for ever")
    func notRegularFile() throws {
        let folder = try CoreTestFolder()
        defer { folder.remove() }
        #expect(mkfifo(folder.file("fifo"), 0o600) == 0)
        for name in ["/dev/zero", "fifo"] {
            let error = try #require(Self.failure(#"{"capability": "a", "input": {"file": "\#(name)"}}"#,
                                                  baseDirectory: folder.path))
            #expect(error.field == "input.file")
            #expect(error.reason == "names '\(name)', which cannot be read: it is not a regular file")
        }
    }

    @Test("a file over the input limit is refused")
    func fileTooLarge() throws {
        let folder = try CoreTestFolder()
        defer { folder.remove() }
        try folder.write("big.bin", Data(count: JobRequest.maxInputBytes + 1))
        let error = try #require(Self.failure(#"{"capability": "a", "input": {"file": "big.bin"}}"#,
                                              baseDirectory: folder.path))
        #expect(error.field == "input.file")
        #expect(error.reason.contains("\(JobRequest.maxInputBytes + 1) bytes"))
    }

    // MARK: Numbers

    @Test("timeoutSeconds must be a whole number",
          arguments: [#""60""#, "1.5", "true", "false", "null", "[60]", "1e300"])
    func timeoutNotWhole(value: String) throws {
        let error = try #require(
            Self.failure(#"{"capability": "a", "input": {"text": ""}, "timeoutSeconds": \#(value)}"#))
        #expect(error.field == "timeoutSeconds")
        #expect(error.reason == "must be a whole number")
    }

    @Test("timeoutSeconds out of range is refused", arguments: ["0", "-1", "86401", "9223372036854775807"])
    func timeoutOutOfRange(value: String) throws {
        let error = try #require(
            Self.failure(#"{"capability": "a", "input": {"text": ""}, "timeoutSeconds": \#(value)}"#))
        #expect(error.field == "timeoutSeconds")
    }

    @Test("timeoutSeconds bounds are accepted")
    func timeoutBounds() throws {
        for value in [1, JobRequest.maxTimeoutSeconds] {
            let request = try Self.parse(#"{"capability": "a", "input": {"text": ""}, "timeoutSeconds": \#(value)}"#)
            #expect(request.timeoutSeconds == value)
        }
    }

    @Test("maxCredits must be a whole number within bounds", arguments: [
        #""10""#, "2.5", "true", "0", "-3", "1000001", "1e20",
    ])
    func badMaxCredits(value: String) throws {
        let error = try #require(Self.failure(#"{"capability": "a", "input": {"text": ""}, "maxCredits": \#(value)}"#))
        #expect(error.field == "maxCredits")
    }

    @Test("maxCredits bounds are accepted")
    func maxCreditsBounds() throws {
        for value in [1, JobRequest.maxCredits] {
            let request = try Self.parse(#"{"capability": "a", "input": {"text": ""}, "maxCredits": \#(value)}"#)
            #expect(request.maxCredits == value)
        }
    }

    // MARK: Labels

    @Test("labels that are not an object are refused", arguments: [#""zone=eu""#, #"["eu"]"#, "3", "null"])
    func labelsNotObject(value: String) throws {
        let error = try #require(Self.failure(#"{"capability": "a", "input": {"text": ""}, "labels": \#(value)}"#))
        #expect(error.field == "labels")
        #expect(error.reason.contains("must be an object"))
    }

    @Test("a non-string label value is named", arguments: ["1", "true", "null", "{}", "[]"])
    func labelValueNotString(value: String) throws {
        let error = try #require(Self.failure(
            #"{"capability": "a", "input": {"text": ""}, "labels": {"zone": \#(value)}}"#))
        #expect(error.field == "labels.zone")
        #expect(error.reason == "must be a string")
    }

    @Test("a bad label key is named")
    func badLabelKey() throws {
        let error = try #require(Self.failure(
            #"{"capability": "a", "input": {"text": ""}, "labels": {"bad key": "x"}}"#))
        #expect(error.field == "labels")
        #expect(error.reason.contains("'bad key'"))
    }

    // MARK: Checks shared with JobRequest

    @Test("validation runs on the parsed request")
    func validationRuns() throws {
        let capability = try #require(Self.failure(#"{"capability": "Not Valid", "input": {"text": ""}}"#))
        #expect(capability.field == "capability")
        let version = try #require(Self.failure(#"{"capability": "a", "version": "^x", "input": {"text": ""}}"#))
        #expect(version.field == "version")
        let requirements = try #require(
            Self.failure(#"{"capability": "a", "input": {"text": ""}, "requirements": "cores >="}"#))
        #expect(requirements.field == "requirements")
    }

    // MARK: Loading files

    @Test("load reads a spec and resolves its file input next to it")
    func load() throws {
        let folder = try CoreTestFolder()
        defer { folder.remove() }
        try folder.write("jobs/input.txt", "file contents")
        let path = try folder.write("jobs/job.json", #"{"capability": "text.upper", "input": {"file": "input.txt"}}"#)
        let request = try JobSpec.load(path: path)
        #expect(request.capability == "text.upper")
        #expect(request.input == Data("file contents".utf8))
    }

    @Test("load errors carry the spec's path")
    func loadErrorsNamePath() throws {
        let folder = try CoreTestFolder()
        defer { folder.remove() }
        let path = try folder.write("job.json", #"{"capability": "a", "input": {"file": "missing.txt"}}"#)
        do {
            _ = try JobSpec.load(path: path)
            Issue.record("loaded a spec whose input file is missing")
        } catch {
            #expect(error.file == path)
            #expect(error.field == "input.file")
            #expect(error.description.hasPrefix("\(path): field 'input.file' "))
        }
    }

    @Test("a missing spec file or a folder is refused naming the path")
    func loadMissing() throws {
        let folder = try CoreTestFolder()
        defer { folder.remove() }
        for path in [folder.file("absent.json"), folder.path] {
            do {
                _ = try JobSpec.load(path: path)
                Issue.record("loaded \(path)")
            } catch {
                #expect(error.file == path)
                #expect(error.field == nil)
                #expect(error.description.contains(path))
                #expect(error.reason.contains("cannot be read"))
            }
        }
    }

    @Test("the shipped example specs parse")
    func shippedExamples() throws {
        let jobs = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Jobs").standardized.path
        let names = try FileManager.default.contentsOfDirectory(atPath: jobs)
        #expect(names.contains { $0.hasSuffix(".json") })
        for name in names where name.hasSuffix(".json") {
            #expect(throws: Never.self, "\(name)") { try JobSpec.load(path: jobs + "/" + name) }
        }
    }
}
