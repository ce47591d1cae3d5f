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
        let timeout = assignment.timeoutSeconds
        // The plugin thread and a timer race to resume one continuation; a plugin that overruns keeps its thread
        // until it returns, but the job is answered at the deadline.
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Finished?, Never>) in
            let once = ResumeOnce(continuation)
            DispatchQueue.global().async {
                let start = Self.threadCPUMillis()
                let result: Result<[UInt8], PluginFailure>
                do {
                    result = .success(try plugin.invoke(capability: capability, input: input))
                } catch let error as PluginError {
                    let retryable = error.kind == .failed || error.kind == .invalidOutput
                    result = .failure(PluginFailure(message: "\(error)", retryable: retryable))
                } catch {
                    result = .failure(PluginFailure(message: "\(error)", retryable: true))
                }
                once.resume((result, Self.threadCPUMillis() - start))
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(timeout)) {
                once.resume(nil)
            }
        }
        guard let (outcome, cpu) = result else {
            return JobOutcome(job: assignment.job, attempt: assignment.attempt, output: nil,
                              error: "capability '\(capability)' did not finish within \(assignment.timeoutSeconds) s",
                              cpuMillis: 0, pluginHash: plugin.sha256, retryable: true)
        }
        switch outcome {
        case .success(let output) where output.count > JobRequest.maxOutputBytes:
            return JobOutcome(job: assignment.job, attempt: assignment.attempt, output: nil,
                              error: "the output is \(output.count) bytes; the limit is \(JobRequest.maxOutputBytes)",
                              cpuMillis: cpu, pluginHash: plugin.sha256)
        case .success(let output):
            return JobOutcome(job: assignment.job, attempt: assignment.attempt, output: Data(output), error: nil,
                              cpuMillis: cpu, pluginHash: plugin.sha256)
        case .failure(let error):
            return JobOutcome(job: assignment.job, attempt: assignment.attempt, output: nil, error: error.message,
                              cpuMillis: cpu, pluginHash: plugin.sha256, retryable: error.retryable)
        }
    }

    /// A plugin's error, carried across threads as its description.
    struct PluginFailure: Error {
        let message: String
        /// False for bad input, which fails on every worker alike.
        let retryable: Bool
    }

    /// What the plugin thread reports: its result and the CPU milliseconds it used.
    typealias Finished = (Result<[UInt8], PluginFailure>, Int)

    private static func threadCPUMillis() -> Int {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return spec.tv_sec * 1000 + spec.tv_nsec / 1_000_000
    }
}
