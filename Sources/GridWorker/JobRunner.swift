import Foundation
import GridCore
import GridPluginHost
import Synchronization

/// Runs assignments on the worker's `PluginHost` (runner processes, or in process with `--in-process`) and keeps
/// the quarantine of plugins whose runners keep crashing.
public final class JobRunner: Sendable {
    public let host: any PluginHost
    private let book: Mutex<QuarantineBook>

    public init(host: any PluginHost, quarantine: QuarantineBook.Policy = .init()) {
        self.host = host
        self.book = Mutex(QuarantineBook(policy: quarantine))
    }

    /// The capabilities to advertise: every loaded plugin's, less those of quarantined plugins.
    public var offers: [CapabilityOffer] {
        let quarantined = book.withLock { $0.quarantined }
        return host.plugins.filter { quarantined[$0.name] == nil }.flatMap { plugin in
            plugin.capabilities.map {
                CapabilityOffer(name: $0.name, version: $0.version, description: $0.description, cost: Int($0.cost),
                                plugin: plugin.name, author: plugin.author, deterministic: $0.deterministic)
            }
        }.sorted { $0.name < $1.name }
    }

    /// Plugins in quarantine, by name.
    public var quarantined: [QuarantinedPlugin] {
        book.withLock { $0.quarantined.values.sorted { $0.plugin < $1.plugin } }
    }

    /// Runs one assignment; also returns the quarantine entry when this attempt's crash put its plugin there.
    public func run(_ assignment: Assignment) async -> (outcome: JobOutcome, quarantined: QuarantinedPlugin?) {
        /// An outcome of this assignment, naming the plugin that ran it (when there is one) and its versions.
        func outcome(_ plugin: LoadedPlugin?, output: Data? = nil, error: String? = nil, cpuMillis: Int = 0,
                     hash: String? = nil, retryable: Bool = false, crashed: Bool = false) -> JobOutcome {
            JobOutcome(job: assignment.job, attempt: assignment.attempt, output: output, error: error,
                       cpuMillis: cpuMillis, pluginHash: hash, retryable: retryable, crashed: crashed,
                       plugin: plugin?.name, pluginVersion: plugin?.version.description,
                       capabilityVersion: plugin?.capabilities.first { $0.name == assignment.capability }?
                           .version.description)
        }
        guard let plugin = host.plugin(for: assignment.capability) else {
            return (outcome(nil, error: "this worker has no plugin for capability '\(assignment.capability)'",
                            retryable: true), nil)
        }
        if let entry = book.withLock({ $0.quarantined[plugin.name] }) {
            return (outcome(plugin, error: "the plugin \(plugin.name) is quarantined on this worker: \(entry.reason)",
                            retryable: true), nil)
        }
        let invocation = await host.invoke(capability: assignment.capability, input: Array(assignment.input),
                                           timeout: .seconds(assignment.timeoutSeconds))
        let cpuMillis = Int(invocation.cpu.components.seconds) * 1000
            + Int(invocation.cpu.components.attoseconds / 1_000_000_000_000_000)
        switch invocation.result {
        case .success(let output) where output.count > JobRequest.maxOutputBytes:
            let tooLarge = "the output is \(output.count) bytes; the limit is \(JobRequest.maxOutputBytes)"
            return (outcome(plugin, error: tooLarge, cpuMillis: cpuMillis, hash: plugin.sha256), nil)
        case .success(let output):
            return (outcome(plugin, output: Data(output), cpuMillis: cpuMillis, hash: plugin.sha256), nil)
        case .failure(let error):
            let crashed = error.kind == .crashed
            let retryable = error.kind != .badInput && error.kind != .unknownCapability
            var entry: QuarantinedPlugin?
            if crashed {
                let capabilities = plugin.capabilities.map(\.name)
                entry = book.withLock {
                    $0.recordCrash(plugin: plugin.name, capabilities: capabilities, lastReason: "\(error)",
                                   now: .now, unixMillis: UnixTime.nowMillis())
                }
            }
            return (outcome(plugin, error: "\(error)", cpuMillis: cpuMillis, hash: plugin.sha256, retryable: retryable,
                            crashed: crashed), entry)
        }
    }
}
