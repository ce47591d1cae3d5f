import Foundation
import GridClient

/// Runs the built `grid` binary (or another program, such as `cc`) once and collects its exit code and output.
public struct GridRun: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String

    /// The built `grid` executable next to the test bundle.
    public static var executable: String { BuildProducts.path("grid") }

    /// Runs `grid arguments…` to completion.
    public static func run(_ arguments: [String], environment: [String: String] = [:],
                           limit: TimeInterval = 180) async throws -> GridRun {
        try await run(program: executable, arguments, environment: environment, limit: limit)
    }

    /// The full path of the program `name` (such as `make`) in one of the `PATH` folders, or nil.
    public static func program(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `program arguments…` to completion; `program` is a full path (see `program(_:)`).
    public static func run(program: String, _ arguments: [String], environment: [String: String] = [:],
                           limit: TimeInterval = 180) async throws -> GridRun {
        let folder = try TemporaryFolder("grid-run")
        defer { folder.remove() }
        var env = ProcessInfo.processInfo.environment
        env["GRID_LOG_LEVEL"] = env["GRID_LOG_LEVEL"] ?? "warning"
        for (key, value) in environment { env[key] = value }
        let process = try ChildProcess(executable: program, arguments: arguments, environment: env,
                                       stderrPath: folder.file("stderr"))
        // A command that hangs is killed after `limit`, so a broken build fails the test instead of hanging it.
        let finished = NSLock()
        nonisolated(unsafe) var done = false
        DispatchQueue.global().asyncAfter(deadline: .now() + limit) {
            finished.withLock { if !done { process.signal(SIGKILL) } }
        }
        let lines = await withCheckedContinuation { (continuation: CheckedContinuation<[String], Never>) in
            DispatchQueue.global().async {
                var all: [String] = []
                while let line = process.readLine() { all.append(line) }
                finished.withLock { done = true }
                continuation.resume(returning: all)
            }
        }
        let status = await process.wait()
        let stderr = (try? String(contentsOfFile: folder.file("stderr"), encoding: .utf8)) ?? ""
        return GridRun(status: status, stdout: lines.joined(separator: "\n"), stderr: stderr)
    }

    /// Parses stdout as one JSON object.
    public func json() -> [String: Any]? {
        guard let data = stdout.data(using: .utf8) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }
}
