import ArgumentParser
import Foundation
import GridClient
import GridCore

struct Submit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Submit jobs from spec files, a folder of specs or flags; --wait prints the result.",
        discussion: """
            Examples:
              grid submit Jobs/hash-sha256.json --wait
              grid submit --capability text.uppercase --text "hello" --wait --json
              grid submit Jobs/ a.json b.json
              grid submit --capability text.uppercase --inputs words.txt --json

            Several specs, a folder (its *.json files) or --inputs (one job per line) make a batch: its jobs go to the \
            matchmaker many to a frame, their results are printed as they finish, and a progress bar shows counts, \
            rate and time left (plain lines on stderr when stdout is not a terminal). A batch always waits. \
            The spec format is in docs/job-spec.md. The exit code is 0 only when every job succeeded (or, for one \
            job without --wait, was accepted).
            """)

    @OptionGroup var options: HomeOptions
    @OptionGroup var matchmaker: MatchmakerOption

    @Argument(help: ArgumentHelp("Job spec files (JSON), or folders of them (*.json).", valueName: "spec"))
    var specs: [String] = []

    /// The one spec file of a single-job submit.
    var spec: String? { specs.first }

    @Option(help: "Capability to run, instead of a spec file.")
    var capability: String?

    @Option(help: ArgumentHelp("Input file, with --capability.", valueName: "file"))
    var input: String?

    @Option(help: ArgumentHelp("Input text, with --capability.", valueName: "string"))
    var text: String?

    @Option(help: ArgumentHelp("A file with one input per line, a job each, with --capability ('-' reads stdin).",
                               valueName: "file"))
    var inputs: String?

    // Not `--version`: that is the global flag printing grid's own version.
    @Option(name: .customLong("capability-version"),
            help: ArgumentHelp("Version range of the capability, with --capability.", valueName: "range"))
    var version: String?

    // `.unconditional` takes the next word as the value even when it starts with '-', so that `-5` is refused by
    // `validate()` with the flag named, not mistaken for a flag.
    @Option(parsing: .unconditional, help: "Credits to escrow at most, with --capability.")
    var maxCredits: Int?

    @Option(help: ArgumentHelp("Expression the worker must satisfy, with --capability (docs/expressions.md).",
                               valueName: "expression"))
    var requirements: String?

    @Option(help: ArgumentHelp("Expression ranking fitting workers, higher first, with --capability.",
                               valueName: "expression"))
    var rank: String?

    @Option(parsing: .unconditional,
            help: ArgumentHelp("Fail the job if no worker takes it within this many seconds (default: the "
                               + "matchmaker's --queue-timeout), with --capability.", valueName: "seconds"))
    var queueTimeout: Int?

    @Option(parsing: .unconditional,
            help: ArgumentHelp("Run the job on this many distinct workers, with --capability (docs/quorum.md).",
                               valueName: "k"))
    var redundancy: Int?

    @Option(parsing: .unconditional,
            help: ArgumentHelp("How many of the runs must return identical outputs (default: a majority), with "
                               + "--redundancy.", valueName: "q"))
    var quorum: Int?

    @Flag(help: "Wait for the job to finish and print its result.")
    var wait = false

    @Option(parsing: .unconditional, help: ArgumentHelp("Stop waiting after this many seconds.", valueName: "seconds"))
    var timeout: Double = 300

    @Flag(help: "Print one JSON object (one line per job for a batch).")
    var json = false

    /// Several jobs: more than one spec, a folder, or --inputs.
    var isBatch: Bool {
        inputs != nil || specs.count > 1 || specs.contains { Self.isFolder($0) }
    }

    func validate() throws {
        if !specs.isEmpty {
            guard capability == nil, input == nil, text == nil, inputs == nil, version == nil, maxCredits == nil,
                  requirements == nil, rank == nil, queueTimeout == nil, redundancy == nil, quorum == nil else {
                throw ValidationError("give either spec files or --capability with --input/--text/--inputs, not both")
            }
        } else {
            guard capability != nil else {
                throw ValidationError("give a spec file, or --capability NAME with --input FILE or --text STRING")
            }
            guard [input, text, inputs].compactMap({ $0 }).count == 1 else {
                throw ValidationError(inputs == nil
                    ? "--capability needs exactly one of --input FILE or --text STRING"
                    : "--inputs FILE gives every job its input; it cannot go with --input or --text")
            }
        }
        guard timeout > 0, timeout <= 86_400 else {
            let got = JobOutput.formatNumber(timeout)
            throw ValidationError("--timeout must be positive and at most 86400 seconds, got \(got)")
        }
        if let queueTimeout, !(1...JobRequest.maxQueueTimeoutSeconds).contains(queueTimeout) {
            throw ValidationError("--queue-timeout must be from 1 to \(JobRequest.maxQueueTimeoutSeconds) seconds, "
                                  + "got \(queueTimeout)")
        }
        if let maxCredits, !(1...JobRequest.maxCredits).contains(maxCredits) {
            throw ValidationError("--max-credits must be from 1 to \(JobRequest.maxCredits), got \(maxCredits)")
        }
        if let redundancy, !(1...JobRequest.maxRedundancy).contains(redundancy) {
            throw ValidationError("--redundancy must be from 1 to \(JobRequest.maxRedundancy), got \(redundancy)")
        }
        if let quorum {
            guard let redundancy else { throw ValidationError("--quorum needs --redundancy") }
            guard (1...redundancy).contains(quorum) else {
                throw ValidationError("--quorum must be from 1 to the redundancy (\(redundancy)), got \(quorum)")
            }
        }
    }

    func request() throws -> JobRequest {
        if let spec = specs.first {
            do {
                return try JobSpec.load(path: spec)
            } catch {
                throw CLIError("\(error)")
            }
        }
        let data: Data
        if let input {
            guard let contents = FileManager.default.contents(atPath: input) else {
                throw CLIError("--input \(input) cannot be read")
            }
            data = contents
        } else {
            data = Data((text ?? "").utf8)
        }
        return try request(input: data)
    }

    /// A job for `--capability` with the given input and the other flags.
    func request(input data: Data) throws -> JobRequest {
        var request = JobRequest(capability: capability ?? "", input: data)
        if let version { request.version = version }
        if let maxCredits { request.maxCredits = maxCredits }
        request.requirements = requirements
        request.rank = rank
        request.queueTimeoutSeconds = queueTimeout
        request.redundancy = redundancy
        request.quorum = quorum
        do {
            _ = try request.validate()
        } catch {
            throw CLIError("\(error)")
        }
        return request
    }

    func run() async throws {
        if isBatch {
            try await runBatch()
            return
        }
        let request = try request()
        let endpoint = try matchmaker.endpoint()
        let logger = try options.bootstrapLogging(defaultLevel: .warning)
        var client = GridClient(host: endpoint.host, port: endpoint.port, identity: try options.identity(), logger: logger)
        client.expectedMatchmaker = try matchmaker.expectedPeer()
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        let record: JobRecord = try await ClientCall.run {
            let submitted = try await client.submit(try client.submission(for: request))
            await warnIfNobodyOffers([request], client: client)
            guard wait else { return submitted }
            return try await client.waitUntilFinal(submitted.id, deadline: deadline)
        }
        try JobOutput.print(record, json: json, waited: wait, timeout: timeout)
    }
}

extension Submit {
    /// Warns on stderr when no connected worker offers the capability at a version in the range: the job then
    /// waits, its credits held, until one connects or its queue timeout passes. Says nothing if it cannot tell.
    func warnIfNobodyOffers(_ requests: [JobRequest], client: GridClient) async {
        guard let peers = try? await client.withSession({ try await $0.peers() }) else { return }
        var warned: Set<String> = []
        for request in requests where !warned.contains(request.capability + " " + request.version) {
            warned.insert(request.capability + " " + request.version)
            guard let range = try? VersionRange(parsing: request.version) else { continue }
            let offered = peers.contains { peer in
                peer.ad.capabilities.contains { $0.name == request.capability && range.contains($0.version) }
            }
            guard !offered else { continue }
            let limit = request.queueTimeoutSeconds.map { "its queue timeout of \($0) s" }
                ?? "the matchmaker's queue timeout"
            let what = requests.count == 1
                ? "the job waits for one, and fails with its credits refunded"
                : "its jobs wait for one, and fail with their credits refunded"
            warn("warning: no connected worker offers capability '\(request.capability)' (version \(request.version)); "
                 + "\(what) after \(limit)")
        }
    }
}

/// Prints a job the way `submit --wait` and `result` do, and sets the exit code.
enum JobOutput {
    static func print(_ record: JobRecord, json: Bool, waited: Bool, timeout: Double) throws {
        if json {
            say(JobPresentation.json(JobPresentation(record)))
        } else if !waited {
            say(record.id.rawValue)
        } else if record.status == .succeeded, let output = record.output {
            if let text = String(data: output, encoding: .utf8) {
                FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
            } else {
                say(output.base64EncodedString())
            }
        }
        switch record.status {
        case .succeeded:
            return
        case .queued, .running:
            guard waited else { return }
            let why = record.message.map { ": \($0)" } ?? ""
            throw CLIError("job \(record.id) is still \(record.status.rawValue) after \(formatSeconds(timeout))\(why)")
        case .failed:
            guard waited || json else { return }
            throw CLIError("job \(record.id) failed: \(record.message ?? "no reason given")")
        case .cancelled:
            guard waited || json else { return }
            throw CLIError("job \(record.id) was cancelled by its submitter")
        }
    }

    static func formatSeconds(_ seconds: Double) -> String {
        formatNumber(seconds) + " s"
    }

    /// `5` for a whole number, `0.5` otherwise (`nan`, `inf` as Swift prints them).
    static func formatNumber(_ number: Double) -> String {
        number.isFinite && number == number.rounded() && abs(number) < 1e15 ? "\(Int(number))" : "\(number)"
    }
}
