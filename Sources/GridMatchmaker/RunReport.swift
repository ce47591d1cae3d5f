import Foundation
import GridCore
import GridCrypto

/// What one attempt of a job (or of one run of a redundant job) returned, as the settlement records it.
public struct RunReport: Sendable, Hashable, Codable {
    public var worker: PeerID
    public var attempt: Int
    /// The output, when the attempt produced one.
    public var output: Data?
    /// SHA-256 of `output`.
    public var outputDigest: [UInt8]?
    /// Why the attempt failed, when it produced no output.
    public var failure: String?
    public var cpuMillis: Int
    public var plugin: String
    public var pluginVersion: String
    public var capabilityVersion: String
    /// SHA-256 (hex) of the plugin file, as the worker reported it.
    public var pluginHash: String?
    /// The price fixed for the attempt when it was assigned.
    public var cost: Int

    public init(worker: PeerID, attempt: Int, output: Data?, failure: String?, cpuMillis: Int, plugin: String = "",
                pluginVersion: String = "", capabilityVersion: String = "", pluginHash: String? = nil, cost: Int = 0) {
        self.worker = worker
        self.attempt = attempt
        self.output = output
        self.outputDigest = output.map { Digest.sha256(Array($0)) }
        self.failure = output == nil ? (failure ?? "the worker reported a failure without a reason") : nil
        self.cpuMillis = max(0, cpuMillis)
        self.plugin = plugin
        self.pluginVersion = pluginVersion
        self.capabilityVersion = capabilityVersion
        self.pluginHash = pluginHash
        self.cost = cost
    }

    /// The report of a worker's outcome for the attempt it held the lease of (priced at `cost`).
    public init(_ outcome: JobOutcome, worker: PeerID, cost: Int) {
        self.init(worker: worker, attempt: outcome.attempt, output: outcome.output, failure: outcome.error,
                  cpuMillis: outcome.cpuMillis, plugin: outcome.plugin ?? "", pluginVersion: outcome.pluginVersion ?? "",
                  capabilityVersion: outcome.capabilityVersion ?? "", pluginHash: outcome.pluginHash, cost: cost)
    }

    /// Stored (`job_runs.report`, JSON) without the digest, which decoding works out again from the output.
    private enum CodingKeys: String, CodingKey {
        case worker, attempt, output, failure, cpuMillis, plugin, pluginVersion, capabilityVersion, pluginHash, cost
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(worker: try c.decode(PeerID.self, forKey: .worker),
                  attempt: try c.decode(Int.self, forKey: .attempt),
                  output: try c.decodeIfPresent(Data.self, forKey: .output),
                  failure: try c.decodeIfPresent(String.self, forKey: .failure),
                  cpuMillis: try c.decode(Int.self, forKey: .cpuMillis),
                  plugin: try c.decode(String.self, forKey: .plugin),
                  pluginVersion: try c.decode(String.self, forKey: .pluginVersion),
                  capabilityVersion: try c.decode(String.self, forKey: .capabilityVersion),
                  pluginHash: try c.decodeIfPresent(String.self, forKey: .pluginHash),
                  cost: try c.decode(Int.self, forKey: .cost))
    }

    /// The output digest in lowercase hex, or nil.
    public var outputDigestHex: String? { outputDigest.map(Hex.encode) }
}
