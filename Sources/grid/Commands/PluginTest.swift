import ArgumentParser
import Foundation
import GridCore

struct PluginTest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run one capability of a plugin file on this machine, with no grid, and print its output.",
        discussion: """
            The output goes to stdout as raw bytes (no newline is added); a failure goes to stderr as one line, \
            with exit code 1. Example:
              grid plugin test ./libecho.so --capability echo.echo --text hello
            """)

    @Argument(help: ArgumentHelp("The plugin's shared library (*.so).", valueName: "path"))
    var path: String

    @Option(help: ArgumentHelp("The capability to run, such as echo.echo.", valueName: "name"))
    var capability: String

    @Option(help: ArgumentHelp("Input text.", valueName: "string"))
    var text: String?

    @Option(help: ArgumentHelp("Input file ('-' for standard input).", valueName: "file"))
    var input: String?

    @Option(help: ArgumentHelp("Give up when the call has not answered after this many seconds (as a job would).",
                               valueName: "seconds"))
    var timeout = Double(JobRequest.defaultTimeoutSeconds)

    func validate() throws {
        guard (text == nil) != (input == nil) else {
            throw ValidationError("give exactly one of --text STRING or --input FILE")
        }
        guard timeout > 0, timeout <= 86_400 else { throw ValidationError("--timeout must be from 0 to 86400 seconds") }
    }

    func run() async throws {
        let bytes = try inputBytes()
        let session = try PluginSession(path: path)
        let output = try await session.run(
            capability: capability, input: bytes, timeout: .milliseconds(Int64(timeout * 1000)))
        FileHandle.standardOutput.write(Data(output))
    }

    private func inputBytes() throws -> [UInt8] {
        if let text { return Array(text.utf8) }
        let file = input ?? "-"
        if file == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CLIError("--input \(file) cannot be read")
        }
        return Array(data)
    }
}
