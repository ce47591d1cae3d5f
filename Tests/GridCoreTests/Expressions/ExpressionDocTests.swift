import GridCore
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// Runs the examples in docs/expressions.md, so the documentation stays true.
@Suite("docs/expressions.md")
struct ExpressionDocTests {
    /// docs/expressions.md, found from this file's path (Tests/GridCoreTests/Expressions/ -> the package root).
    static func document() throws -> String {
        var components = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        components.removeLast(4)
        let path = components.joined(separator: "/") + "/docs/expressions.md"
        return try readFile(path)
    }

    /// The lines of every fenced block whose info string is `kind`.
    static func blocks(_ kind: String, in text: String) -> [String] {
        var lines: [String] = []
        var inside = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                inside = !inside && line.dropFirst(3) == kind
                continue
            }
            if inside && !line.allSatisfy(\.isWhitespace) { lines.append(String(line)) }
        }
        return lines
    }

    /// The requirement context the examples run against, from the `attributes` block.
    static func context(from text: String) throws -> Attributes {
        var worker = Attributes()
        var job = Attributes()
        var submitter = ""
        for line in blocks("attributes", in: text) {
            let parts = line.split(separator: "=", maxSplits: 1)
            try #require(parts.count == 2, "attribute line without '=': \(line)")
            let name = parts[0].trimmingCharacters()
            let value = try ExpressionFixtures.literal(parts[1].trimmingCharacters())
            if name == "submitter", case .string(let hex) = value {
                submitter = hex
            } else if name.hasPrefix("job.") {
                job[String(name.dropFirst(4))] = value
            } else {
                worker[name] = value
            }
        }
        return Attributes.requirementContext(worker: worker, job: job, submitter: submitter)
    }

    @Test("Every example evaluates to the result the document states")
    func examples() throws {
        let text = try Self.document()
        let context = try Self.context(from: text)
        let examples = Self.blocks("examples", in: text)
        #expect(examples.count >= 20)
        for line in examples {
            let parts = line.split(separator: "→", maxSplits: 1)
            try #require(parts.count == 2, "example line without '→': \(line)")
            let source = parts[0].trimmingCharacters()
            let expected = parts[1].trimmingCharacters()
            let outcome = Result { () throws(ExpressionError) -> Value in
                try MatchExpression(parsing: source).evaluate(context)
            }
            switch outcome {
            case .success(let value):
                #expect(!expected.hasPrefix("error:"), "`\(source)` gave \(value), the document says \(expected)")
                if !expected.hasPrefix("error:") {
                    #expect(value == (try ExpressionFixtures.literal(expected)), "`\(source)`")
                }
            case .failure(let error):
                #expect(expected.hasPrefix("error:"), "`\(source)` failed: \(error)")
                let message = expected.dropFirst("error:".count).trimmingCharacters()
                #expect(error.message.contains(message), "`\(source)`: \(error.message)")
            }
        }
    }

    @Test("The error displays shown in the document are the ones produced")
    func errorDisplays() throws {
        let text = try Self.document()
        let parse = try #require(throws: ExpressionError.self) { try MatchExpression(parsing: "max(cores, memory_gb") }
        #expect(text.contains(parse.description))
        let evaluation = try #require(throws: ExpressionError.self) {
            try MatchExpression(parsing: "cores >= 4 && os > 3").evaluate(try Self.context(from: text))
        }
        #expect(text.contains(evaluation.description))
    }
}

fileprivate extension StringProtocol {
    /// The text without leading and trailing whitespace.
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return String(s)
    }
}

/// Reads a UTF-8 text file without Foundation.
private func readFile(_ path: String) throws -> String {
    guard let file = fopen(path, "r") else { throw DocumentMissing(path: path) }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count <= 0 { break }
        bytes += buffer[0..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
}

private struct DocumentMissing: Error, CustomStringConvertible {
    let path: String
    var description: String { "cannot read \(path)" }
}
