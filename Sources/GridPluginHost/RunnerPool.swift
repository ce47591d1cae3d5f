import CGridPluginABI
import Dispatch
import GridRunnerProtocol
import Logging

/// Runs plugins in `grid-runner` child processes: one warm runner per slot, each with every plugin loaded.
///
/// At most `slots` calls run at once, one per runner. A runner that crashes, exits, breaks the protocol or is
/// killed at a call's timeout fails that call with the reason and is replaced by a new one before its slot is
/// given out again. Blocking pipe I/O happens on Dispatch threads, never on Swift's cooperative pool.
/// docs/plugin-isolation.md describes the design.
public actor RunnerPool: PluginHost {
    /// A slot: a warm runner, or none (its runner died and the replacement could not be started yet).
    private enum Slot {
        case warm(RunnerProcess)
        case empty
    }

    /// Where a capability lives inside every runner.
    private struct Target: Sendable {
        var index: UInt32
        var plugin: String
    }

    public nonisolated let plugins: [LoadedPlugin]
    private nonisolated let files: [String]
    private nonisolated let targets: [String: Target]
    private nonisolated let configuration: RunnerConfiguration
    private let logger: Logger
    private var idle: [Slot] = []
    private var waiting: [CheckedContinuation<Slot?, Never>] = []
    private var live: [Int32: RunnerProcess] = [:]
    private var stopped = false

    private init(plugins: [LoadedPlugin], files: [String], configuration: RunnerConfiguration, logger: Logger) {
        self.plugins = plugins
        self.files = files
        self.configuration = configuration
        self.logger = logger
        var targets: [String: Target] = [:]
        for (index, plugin) in plugins.enumerated() {
            for capability in plugin.capabilities {
                targets[capability.name] = Target(index: UInt32(index), plugin: plugin.name)
            }
        }
        self.targets = targets
    }

    /// Loads the plugin files in `paths` (in order) in a runner, checks them as `PluginLoader` does, and starts
    /// `slots` warm runners with the plugins that passed. The report lists every file refused, with its reason.
    public static func start(
        files paths: [String], slots: Int, configuration: RunnerConfiguration,
        logger: Logger = PluginLoader.silentLogger
    ) async -> (pool: RunnerPool, report: PluginLoadReport) {
        let (report, accepted) = await offload { discover(paths, configuration: configuration) }
        let pool = RunnerPool(plugins: report.plugins, files: accepted, configuration: configuration, logger: logger)
        await pool.fill(slots)
        return (pool, PluginLoader.report(report, logger: logger))
    }

    // MARK: Invoking

    public func invoke(capability: String, input: [UInt8], timeout: Duration) async -> Invocation {
        guard let target = targets[capability] else {
            return .failure(.unknownCapability(capability, plugin: nil))
        }
        guard let slot = await acquire() else {
            return .failure(.runnerUnavailable(plugin: target.plugin, capability: capability,
                                               reason: "the worker is shutting down"))
        }
        let runner: RunnerProcess
        switch slot {
        case .warm(let warm):
            runner = warm
        case .empty:
            do {
                runner = try await startRunner()
            } catch {
                release(.empty)
                return .failure(.runnerUnavailable(plugin: target.plugin, capability: capability,
                                                   reason: error.description))
            }
        }
        let (invocation, healthy) = await Self.offload {
            Self.call(runner, target: target, capability: capability, input: input, timeout: timeout,
                      memoryLimit: self.configuration.memoryLimit)
        }
        if healthy {
            release(.warm(runner))
        } else {
            live[runner.pid] = nil
            logger.warning("plugin runner replaced", metadata: [
                "grid.plugin.name": "\(target.plugin)", "grid.capability": "\(capability)",
                "grid.runner.pid": "\(runner.pid)",
            ])
            do {
                release(.warm(try await startRunner()))
            } catch {
                logger.error("plugin runner could not be restarted", metadata: ["grid.reason": "\(error)"])
                release(.empty)
            }
        }
        return invocation
    }

    public func shutdown() async {
        stopped = true
        for continuation in waiting { continuation.resume(returning: nil) }
        waiting = []
        let runners = Array(live.values)
        live = [:]
        idle = []
        await Self.offload {
            for runner in runners { runner.terminate() }
        }
    }

    /// How many runner processes are alive (for tests and `grid peers`).
    public var runnerCount: Int { live.count }

    /// The process ids of the live runners.
    public var runnerPIDs: [Int32] { live.keys.sorted() }

    // MARK: Slots

    private func fill(_ slots: Int) async {
        for _ in 0..<max(1, slots) {
            do {
                idle.append(.warm(try await startRunner()))
            } catch {
                logger.error("plugin runner could not be started", metadata: ["grid.reason": "\(error)"])
                idle.append(.empty)
            }
        }
    }

    private func acquire() async -> Slot? {
        if stopped { return nil }
        if let slot = idle.popLast() { return slot }
        return await withCheckedContinuation { waiting.append($0) }
    }

    private func release(_ slot: Slot) {
        if stopped {
            if case .warm(let runner) = slot {
                live[runner.pid] = nil
                runner.terminate()
            }
            return
        }
        if waiting.isEmpty {
            idle.append(slot)
        } else {
            waiting.removeFirst().resume(returning: slot)
        }
    }

    /// Starts a runner and loads every accepted plugin into it, in the order that fixes their numbers.
    private func startRunner() async throws(RunnerStartError) -> RunnerProcess {
        let files = self.files
        let configuration = self.configuration
        let result = await Self.offload { () -> Result<RunnerProcess, RunnerStartError> in
            Result { () throws(RunnerStartError) -> RunnerProcess in
                try Self.warmRunner(files: files, configuration: configuration)
            }
        }
        let runner = try result.get()
        if stopped {
            await Self.offload { runner.terminate() }
            throw RunnerStartError(executable: configuration.executable, reason: "the worker is shutting down")
        }
        live[runner.pid] = runner
        return runner
    }

    // MARK: Blocking work (Dispatch threads)

    private static func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }

    private static func warmRunner(files: [String], configuration: RunnerConfiguration)
        throws(RunnerStartError) -> RunnerProcess {
        let runner = try RunnerProcess.spawn(configuration)
        for (position, path) in files.enumerated() {
            let timer = KillTimer(runner, after: configuration.loadTimeout)
            let loaded = runner.exchange(.load(path: path))
            let initialized = runner.exchange(.initialize(plugin: UInt32(position)))
            let timedOut = timer.finish()
            guard case .success(.loaded(let index, _)) = loaded, index == UInt32(position),
                  case .success(.initialized(let code)) = initialized, code == GRID_PLUGIN_OK, !timedOut
            else {
                runner.terminate()
                throw RunnerStartError(executable: configuration.executable,
                                       reason: "the plugin \(path) no longer loads and initialises in a new runner")
            }
        }
        return runner
    }

    /// One invocation on `runner`: the invocation, and whether the runner can serve again.
    private static func call(
        _ runner: RunnerProcess, target: Target, capability: String, input: [UInt8], timeout: Duration,
        memoryLimit: UInt64
    ) -> (Invocation, healthy: Bool) {
        let exchanged = runner.exchange(.invoke(plugin: target.index, capability: capability, input: input),
                                        deadline: .now + timeout)
        let killedForTimeout: Bool
        if case .failure(.timedOut) = exchanged { killedForTimeout = true } else { killedForTimeout = false }
        let plugin = target.plugin
        var death = RunnerDeath(exit: .exited(0), memoryLimit: memoryLimit)
        switch exchanged {
        case .success(.result(let report)):
            let cpu = Duration.microseconds(Int64(clamping: report.cpuMicroseconds))
            return (Invocation(result: result(of: report, plugin: plugin, capability: capability,
                                              memoryLimit: memoryLimit), cpu: cpu), true)
        case .success:
            death.protocolProblem = "it answered an invocation with another kind of frame"
            runner.kill()
        case .failure(.garbled(let problem)):
            death.protocolProblem = problem
            runner.kill()
        case .failure(.ended(let signal, let failedAllocation)):
            death.reportedSignal = signal
            death.failedAllocation = failedAllocation
            if !runner.endsOnItsOwn(within: .milliseconds(200)) {
                death.closedChannel = true
                runner.kill()
            }
        case .failure(.timedOut):
            break
        }
        let exit = runner.reap()
        death.exit = exit.status
        let cpu = Duration.microseconds(Int64(clamping: exit.cpuMicroseconds))
        if killedForTimeout {
            return (Invocation(result: .failure(.timedOut(plugin: plugin, capability: capability, timeout: timeout)),
                               cpu: cpu), false)
        }
        return (Invocation(result: .failure(.crashed(plugin: plugin, capability: capability, clause: death.clause)),
                           cpu: cpu), false)
    }

    private static func result(of report: InvocationReport, plugin: String, capability: String, memoryLimit: UInt64)
        -> Result<[UInt8], PluginError> {
        if report.lengthWithoutData {
            return .failure(.invalidOutput(plugin: plugin, capability: capability,
                                           reason: "it returned a buffer with a length but no data"))
        }
        guard report.resultCode != GRID_PLUGIN_OK else { return .success(report.output) }
        var message = PluginMessage.text(report.output)
        if report.failedAllocation > 0 && memoryLimit > 0 {
            let note = " (an allocation of \(RunnerDeath.size(report.failedAllocation)) failed: the runner's "
                + "memory limit is \(RunnerDeath.size(memoryLimit)))"
            message = PluginMessage.text(Array((message + note).utf8))
        }
        return .failure(.reported(plugin: plugin, capability: capability, resultCode: report.resultCode,
                                  message: message))
    }
}
