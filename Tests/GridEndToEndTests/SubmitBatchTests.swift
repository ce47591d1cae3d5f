import Foundation
import GridTestKit
import Testing

/// `grid submit` with several jobs: folders of specs, several spec files, `--inputs`, `--json` lines and the progress
/// printed when stdout is not a terminal.
@Suite("Batch submit", .serialized)
struct SubmitBatchTests {
    static let text = "libGridPluginText.so"

    static func writeSpecs(_ folder: String, words: [String]) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (index, word) in words.enumerated() {
            let spec = #"{"capability": "text.uppercase", "input": {"text": "\#(word)"}, "maxCredits": 1}"#
            try Data(spec.utf8).write(to: URL(fileURLWithPath: folder + "/job\(index).json"))
        }
        // Not a spec: ignored.
        try Data("notes".utf8).write(to: URL(fileURLWithPath: folder + "/README.txt"))
    }

    @Test("a folder of specs runs every *.json, a line per result, and a summary on stderr")
    func folderOfSpecs() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            try await grid.startWorker("a", plugins: [Self.text])
            let specs = grid.folder.file("specs")
            try Self.writeSpecs(specs, words: ["one", "two", "three", "four"])
            let run = try await grid.grid(["submit", specs])
            #expect(run.status == 0, "\(run.stderr)")
            let lines = run.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count == 4, "\(run.stdout)")
            for (index, word) in ["one", "two", "three", "four"].enumerated() {
                let line = lines.first { $0.contains("/job\(index).json ") }
                #expect(line?.hasSuffix(" succeeded \(specs)/job\(index).json \(word.uppercased())") == true,
                        "\(line ?? "no line for job\(index)")")
            }
            // Not a terminal: no bar, no escape sequences; a plain summary line on stderr.
            #expect(!run.stdout.contains("\u{1B}") && !run.stdout.contains("\r"))
            #expect(run.stderr.contains("submitted 4 jobs: 4/4 done, 0 failed, "), "\(run.stderr)")
            #expect(run.stderr.contains(" in all"))

            // Several spec files are a batch too; a folder and files may be mixed.
            let mixed = try await grid.grid(["submit", specs + "/job0.json", specs + "/job1.json"])
            #expect(mixed.status == 0, "\(mixed.stderr)")
            #expect(mixed.stdout.split(separator: "\n").count == 2)
        }
    }

    @Test("--inputs makes a job per line, and --json prints one JSON object per line naming its source line")
    func inputsAsJSONLines() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            try await grid.startWorker("a", plugins: [Self.text])
            let inputs = grid.folder.file("inputs.txt")
            try Data("alpha\nbeta\n\ngamma\n".utf8).write(to: URL(fileURLWithPath: inputs))
            let run = try await grid.grid(["submit", "--capability", "text.uppercase", "--inputs", inputs,
                                           "--max-credits", "1", "--json"])
            #expect(run.status == 0, "\(run.stderr)")
            let objects = run.stdout.split(separator: "\n").compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
            }
            #expect(objects.count == 3, "\(run.stdout)")
            var bySource: [String: String] = [:]
            for object in objects {
                #expect(object["status"] as? String == "succeeded")
                #expect(object["job"] as? String != nil)
                bySource[object["source"] as? String ?? ""] = object["output"] as? String
            }
            #expect(bySource == [inputs + ":1": "ALPHA", inputs + ":2": "BETA", inputs + ":4": "GAMMA"])
        }
    }

    @Test("a batch with failed jobs exits non-zero, saying how many did not succeed")
    func failuresSetTheExitCode() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            try await grid.startWorker("a", plugins: [Self.text])
            let inputs = grid.folder.file("inputs.txt")
            try Data("x\ny\n".utf8).write(to: URL(fileURLWithPath: inputs))
            let run = try await grid.grid(["submit", "--capability", "image.thumbnail", "--inputs", inputs,
                                           "--max-credits", "1", "--queue-timeout", "1"])
            #expect(run.status != 0)
            #expect(run.stderr.contains("2 of 2 jobs did not succeed"), "\(run.stderr)")
            #expect(run.stderr.contains("warning: no connected worker offers capability 'image.thumbnail'"))
            let lines = run.stdout.split(separator: "\n")
            #expect(lines.count == 2)
            #expect(lines.allSatisfy { $0.contains(" failed \(inputs):") }, "\(run.stdout)")
        }
    }

    @Test("batch flags are checked before anything is sent")
    func batchValidation() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let base = ["--home", folder.path, "--matchmaker", "127.0.0.1:1"]
        let both = try await GridRun.run(["submit", "--capability", "a.b", "--inputs", "x", "--text", "y"] + base)
        #expect(both.status != 0)
        #expect(both.stderr.contains("--inputs FILE gives every job its input"), "\(both.stderr)")
        let empty = folder.file("empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let none = try await GridRun.run(["submit", empty] + base)
        #expect(none.status != 0)
        #expect(none.stderr.contains("holds no job spec"), "\(none.stderr)")
        let blank = folder.file("blank.txt")
        try Data("\n\n".utf8).write(to: URL(fileURLWithPath: blank))
        let noLines = try await GridRun.run(["submit", "--capability", "a.b", "--inputs", blank] + base)
        #expect(noLines.status != 0)
        #expect(noLines.stderr.contains("has no line to make a job of"), "\(noLines.stderr)")
    }
}
