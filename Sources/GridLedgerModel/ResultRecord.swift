import GridCore

/// What one run of a job produced, as a `result` entry records it next to the job's payment: which capability and
/// plugin ran it, a digest of its output (or why it failed), the CPU time the worker claimed, and what the
/// matchmaker made of it.
///
/// A job run once has one result; a job run on several workers for a quorum has one per run, each with its verdict
/// (docs/ledger.md, "Results").
public struct ResultRecord: Hashable, Sendable {
    /// What the matchmaker decided about a run.
    public enum Verdict: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// The output is the job's result (the only run, or one of the runs that agreed).
        case accepted = 1
        /// The run finished, but its output differed from the output a quorum agreed on (or no quorum formed).
        case disagreed = 2
        /// The run failed, or the job failed without a run (`worker` is then absent from the entry).
        case failed = 3

        public var description: String {
            switch self {
            case .accepted: return "accepted"
            case .disagreed: return "disagreed"
            case .failed: return "failed"
            }
        }
    }

    /// The longest capability, plugin or version string accepted, in UTF-8 bytes.
    public static let maximumNameLength = 256
    /// The longest failure reason accepted, in UTF-8 bytes (the matchmaker cuts reasons at 4,096 already).
    public static let maximumFailureLength = 8192

    public let capability: String
    /// The capability's version on the worker that ran it ("" when no worker ran the job).
    public let capabilityVersion: String
    public let plugin: String
    public let pluginVersion: String
    /// SHA-256 of the plugin's file, 32 bytes, when the worker reported it.
    public let pluginDigest: [UInt8]?
    /// SHA-256 of the output, 32 bytes; present exactly when the run produced an output.
    public let outputDigest: [UInt8]?
    /// Why the run (or the job) failed; present exactly when there is no output.
    public let failure: String?
    /// CPU time the worker claimed for the run, in milliseconds.
    public let cpuMillis: Int64
    /// Which attempt of the job this was (0 when no worker ran it).
    public let attempt: UInt32
    public let verdict: Verdict

    /// Creates a record after checking each field, throwing a `LedgerError` naming the first bad one.
    public init(
        capability: String, capabilityVersion: String, plugin: String, pluginVersion: String, pluginDigest: [UInt8]?,
        outputDigest: [UInt8]?, failure: String?, cpuMillis: Int64, attempt: UInt32, verdict: Verdict
    ) throws(LedgerError) {
        for (name, text) in [("capability", capability), ("capability version", capabilityVersion),
                             ("plugin", plugin), ("plugin version", pluginVersion)]
        where text.utf8.count > Self.maximumNameLength {
            throw .invalidField(name, reason: "it must be at most \(Self.maximumNameLength) bytes, got \(text.utf8.count)")
        }
        for (name, digest) in [("plugin digest", pluginDigest), ("output digest", outputDigest)] {
            if let digest, digest.count != 32 {
                throw .invalidField(name, reason: "a SHA-256 digest is 32 bytes, got \(digest.count)")
            }
        }
        switch (outputDigest, failure) {
        case (nil, nil):
            throw .invalidField("result", reason: "it needs an output digest or a failure reason")
        case (.some, .some):
            throw .invalidField("result", reason: "it has both an output digest and a failure reason")
        case (nil, .some(let failure)):
            guard failure.utf8.count <= Self.maximumFailureLength else {
                throw .invalidField(
                    "failure", reason: "it must be at most \(Self.maximumFailureLength) bytes, got \(failure.utf8.count)")
            }
            guard verdict == .failed else {
                throw .invalidField("verdict", reason: "a run without output can only be 'failed', got '\(verdict)'")
            }
        case (.some, nil):
            guard verdict != .failed else {
                throw .invalidField("verdict", reason: "a run with an output is 'accepted' or 'disagreed', not 'failed'")
            }
        }
        guard cpuMillis >= 0 else {
            throw .invalidField("cpu time", reason: "it must be zero or more, got \(cpuMillis)")
        }
        self.capability = capability
        self.capabilityVersion = capabilityVersion
        self.plugin = plugin
        self.pluginVersion = pluginVersion
        self.pluginDigest = pluginDigest
        self.outputDigest = outputDigest
        self.failure = failure
        self.cpuMillis = cpuMillis
        self.attempt = attempt
        self.verdict = verdict
    }

    /// Appends the record's canonical encoding (docs/ledger.md, "Canonical encoding").
    func write(to writer: inout ByteWriter) {
        writer.u8(verdict.rawValue)
        writer.string16(capability)
        writer.string16(capabilityVersion)
        writer.string16(plugin)
        writer.string16(pluginVersion)
        Self.write(digest: pluginDigest, to: &writer)
        Self.write(digest: outputDigest, to: &writer)
        if let failure {
            writer.u8(1)
            writer.string16(failure)
        } else {
            writer.u8(0)
        }
        writer.i64(cpuMillis)
        writer.u32(attempt)
    }

    /// Reads what `write(to:)` wrote, naming the first malformed field.
    static func read(from reader: inout ByteReader) throws(LedgerError) -> ResultRecord {
        let code = try reader.u8("verdict byte")
        guard let verdict = Verdict(rawValue: code) else {
            throw .malformedEncoding("the verdict byte \(code) is not 1 (accepted), 2 (disagreed) or 3 (failed)")
        }
        let capability = try reader.string16("result's capability")
        let capabilityVersion = try reader.string16("result's capability version")
        let plugin = try reader.string16("result's plugin")
        let pluginVersion = try reader.string16("result's plugin version")
        let pluginDigest = try readDigest("plugin digest", from: &reader)
        let outputDigest = try readDigest("output digest", from: &reader)
        let failure: String?
        switch try reader.u8("presence flag of the failure") {
        case 0: failure = nil
        case 1: failure = try reader.string16("failure")
        case let flag: throw .malformedEncoding("the presence flag of the failure is \(flag), not 0 or 1")
        }
        let cpuMillis = try reader.i64("cpu time")
        let attempt = try reader.u32("attempt")
        return try ResultRecord(
            capability: capability, capabilityVersion: capabilityVersion, plugin: plugin, pluginVersion: pluginVersion,
            pluginDigest: pluginDigest, outputDigest: outputDigest, failure: failure, cpuMillis: cpuMillis,
            attempt: attempt, verdict: verdict)
    }

    private static func write(digest: [UInt8]?, to writer: inout ByteWriter) {
        if let digest {
            writer.u8(1)
            writer.raw(digest)
        } else {
            writer.u8(0)
        }
    }

    private static func readDigest(_ field: String, from reader: inout ByteReader) throws(LedgerError) -> [UInt8]? {
        switch try reader.u8("presence flag of the \(field)") {
        case 0: return nil
        case 1: return try reader.raw(32, field)
        case let flag: throw .malformedEncoding("the presence flag of the \(field) is \(flag), not 0 or 1")
        }
    }

    /// The record's encoding alone, as the `result` column stores it.
    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 128)
        write(to: &writer)
        return writer.bytes
    }

    /// Decodes the `result` column.
    public init(encoded bytes: [UInt8]) throws(LedgerError) {
        var reader = ByteReader(bytes)
        self = try Self.read(from: &reader)
        try reader.expectEnd("result")
    }
}
