import Dispatch
import Foundation
import GridCore
import GridPluginHost

/// Runs assignments on the loaded plugins, off Swift's cooperative threads, with the job's timeout.
///
/// Plugins run in this process for now; a plugin that overruns its timeout is reported as failed while its thread
/// finishes in the background. Crash isolation in a runner child process replaces this (see docs/plugins.md).
public struct JobRunner: Sendable {
    public let registry: PluginRegistry

    public init(registry: PluginRegistry) {
        self.registry = registry
    }

    /// The capabilities to advertise.
    public var offers: [CapabilityOffer] {
        registry.plugins.flatMap { plugin in
            plugin.capabilities.map {
                CapabilityOffer(name: $0.name, version: $0.version, description: $0.description, cost: Int($0.cost),
                                plugin: plugin.name)
            }
        }.sorted { $0.name < $1.name }
    }

    public func run(_ assignment: Assignment) async -> JobOutcome {
        guard let plugin = registry.plugin(for: assignment.capability) else {
            return JobOutcome(job: assignment.job, attempt: assignment.attempt, output: nil,
                              error: "this worker has no plugin for capability '\(assignment.capability)'",
                              cpuMillis: 0, pluginHash: nil)
        }
        let input = Array(assignment.input)
        let capability = assignment.capability
        let result: (Result<[UInt8], any Error>, Int)? = await withTaskGroup(of: (Result<[UInt8], any Error>, Int)?.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    DispatchQueue.global().async {
                        let start = Self.threadCPUMillis()
                        let result = Result { try plugin.invoke(capability: capability, input: input) }
                        continuation.resume(returning: (result, Self.threadCPUMillis() - start))
                    }
                }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(assignment.timeoutSeconds))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let (outcome, cpu) = result else {
            return JobOutcome(job: assignment.job, attempt: assignment.attempt, output: nil,
                              error: "capability '\(capability)' did not finish within \(assignment.timeoutSeconds) s",
                              cpuMillis: 0, pluginHash: plugin.sha256)
        }
        switch outcome {
        case .success(let output):
            return JobOutcome(job: assignment.job, attempt: assignment.attempt, output: Data(output), error: nil,
                              cpuMillis: cpu, pluginHash: plugin.sha256)
        case .failure(let error):
            return JobOutcome(job: assignment.job, attempt: assignment.attempt, output: nil, error: "\(error)",
                              cpuMillis: cpu, pluginHash: plugin.sha256)
        }
    }

    private static func threadCPUMillis() -> Int {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return spec.tv_sec * 1000 + spec.tv_nsec / 1_000_000
    }
}
