import ArgumentParser
import Foundation
import GridClient
import GridCore

/// `grid submit` with several jobs: spec files, folders of specs, or `--inputs`.
extension Submit {
    /// One job of a batch and where it came from.
    struct BatchJob {
        /// The spec file, or `file:line` of `--inputs`.
        var source: String
        var request: JobRequest
    }

    static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Every job of the batch, each checked before anything is sent.
    func batchJobs() throws -> [BatchJob] {
        if let inputs {
            return try inputJobs(inputs)
        }
        var paths: [String] = []
        for spec in specs {
            guard Self.isFolder(spec) else {
                paths.append(spec)
                continue
            }
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: spec)
            } catch {
                throw CLIError("folder \(spec) cannot be read: \(error.localizedDescription)")
            }
            let specNames = names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
            guard !specNames.isEmpty else { throw CLIError("folder \(spec) holds no job spec (*.json)") }
            paths += specNames.map { (spec.hasSuffix("/") ? spec : spec + "/") + $0 }
        }
        return try paths.map { path in
            do {
                return BatchJob(source: path, request: try JobSpec.load(path: path))
            } catch {
                throw CLIError("\(error)")
            }
        }
    }

    /// A job per non-empty line of `path` (`-` for stdin), the line's text its input.
    private func inputJobs(_ path: String) throws -> [BatchJob] {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw CLIError("--inputs \(path) cannot be read")
            }
            data = contents
        }
        var jobs: [BatchJob] = []
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            let text = line.hasSuffix("\r") ? line.dropLast() : line
            guard !text.isEmpty else { continue }
            jobs.append(BatchJob(source: "\(path):\(index + 1)", request: try request(input: Data(text.utf8))))
        }
        guard !jobs.isEmpty else { throw CLIError("--inputs \(path) has no line to make a job of") }
        return jobs
    }

    func runBatch() async throws {
        let jobs = try batchJobs()
        let endpoint = try matchmaker.endpoint()
        let logger = try options.bootstrapLogging(defaultLevel: .warning)
        var client = GridClient(host: endpoint.host, port: endpoint.port, identity: try options.identity(), logger: logger)
        client.expectedMatchmaker = try matchmaker.expectedPeer()
        let report = BatchReport(total: jobs.count, json: json, terminal: isatty(STDOUT_FILENO) == 1)
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        let finished: Bool = try await ClientCall.run {
            try await client.connect { connection in
                let answers = try await connection.submit(jobs.map(\.request))
                var sources: [JobID: String] = [:]
                for (job, answer) in zip(jobs, answers) {
                    switch answer {
                    case .accepted(let record): sources[record.id] = job.source
                    case .refused(let id, let reason): report.refused(id, source: job.source, reason: reason)
                    }
                }
                await warnIfNobodyOffers(jobs.map(\.request), client: client)
                let awaited = sources
                return try await withThrowingTaskGroup(of: Bool.self) { group in
                    group.addTask {
                        var left = awaited.count
                        for try await record in connection.results where left > 0 {
                            report.finished(record, source: awaited[record.id] ?? "")
                            left -= 1
                            if left == 0 { break }
                        }
                        return left == 0
                    }
                    group.addTask {
                        while ContinuousClock.now < deadline {
                            try await Task.sleep(for: report.redrawInterval)
                            report.redraw()
                        }
                        return false
                    }
                    let done = try await group.next() ?? false
                    group.cancelAll()
                    return done
                }
            }
        }
        report.end()
        let counts = report.counts
        guard finished else {
            throw CLIError("\(counts.total - counts.done) of \(counts.total) jobs are still unfinished after "
                           + JobOutput.formatSeconds(timeout))
        }
        guard counts.failed == 0 else {
            throw CLIError("\(counts.failed) of \(counts.total) jobs did not succeed")
        }
    }
}
