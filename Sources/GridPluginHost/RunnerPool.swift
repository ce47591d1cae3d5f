import CGridPluginABI
import Dispatch
import GridCore
import GridCrypto
import GridFFI
import GridFFICall
import GridPluginTrust
import GridRunnerProtocol
import Logging

/// Runs plugins in `grid-runner` child processes: one warm runner per slot, each with every plugin loaded.
///
/// Plugins are libraries (`*.so`) or FFI manifests: a manifest's arguments are checked here, in the worker, and
/// the C call it describes is made in a runner, like any plugin call.
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
        enum Call: Sendable {
            /// Plugin library number `index` in every runner.
            case native(index: UInt32)
            /// A C function declared by an FFI manifest.
            case ffi(FFICapability)
        }

        var call: Call
        var plugin: String
    }

    public nonisolated let plugins: [LoadedPlugin]
    private nonisolated let sources: [Source]
    private nonisolated let targets: [String: Target]
    private nonisolated let configuration: RunnerConfiguration
    private let logger: Logger
    private var idle: [Slot] = []
    private var waiting: [CheckedContinuation<Slot?, Never>] = []
    private var live: [Int32: RunnerProcess] = [:]
    private var stopped = false

    private init(plugins: [LoadedPlugin], accepted: [Accepted], configuration: RunnerConfiguration,
                 logger: Logger) {
        self.plugins = plugins
        self.sources = accepted.map(\.source)
        self.configuration = configuration
        self.logger = logger
        var targets: [String: Target] = [:]
        var nativeIndex: UInt32 = 0
        for (plugin, accepted) in zip(plugins, accepted) {
            if let manifest = accepted.manifest {
                for capability in manifest.capabilities {
                    targets[capability.name] = Target(call: .ffi(capability), plugin: plugin.name)
                }
            } else {
                for capability in plugin.capabilities {
                    targets[capability.name] = Target(call: .native(index: nativeIndex), plugin: plugin.name)
                }
                nativeIndex += 1
            }
        }
        self.targets = targets
    }

    /// Loads the plugin libraries in `paths` (in order) in a runner, checks them as `PluginLoader` does, and starts
    /// `slots` warm runners with the plugins that passed. The report lists every file refused, with its reason.
    public static func start(
        files paths: [String], slots: Int, configuration: RunnerConfiguration,
        logger: Logger = PluginLoader.silentLogger
    ) async -> (pool: RunnerPool, report: PluginLoadReport) {
        await start(plugins: paths.map(PluginFile.library), slots: slots, configuration: configuration,
                    logger: logger)
    }

    /// Loads `files` (libraries and FFI manifests, in order) in a runner, and starts `slots` warm runners with the
    /// plugins that passed. A library is checked as `PluginLoader` does; a manifest has its library opened and every
    /// symbol resolved in the runner. `trust` decides which files may load and the author each advertises, on the
    /// same bytes whose SHA-256 is recorded. The report lists every file refused, with its reason.
    public static func start(
        plugins files: [PluginFile], slots: Int, configuration: RunnerConfiguration,
        trust: PluginTrustPolicy = PluginTrustPolicy(trusted: nil), logger: Logger = PluginLoader.silentLogger
    ) async -> (pool: RunnerPool, report: PluginLoadReport) {
        let (report, accepted) = await offload { discover(files, trust: trust, configuration: configuration) }
        let pool = RunnerPool(plugins: report.plugins, accepted: accepted, configuration: configuration,
                              logger: logger)
        await pool.fill(slots)
        for warning in report.warnings {
            logger.warning("plugin signature not accepted", metadata: ["grid.reason": "\(warning)"])
        }
        return (pool, PluginLoader.report(report, logger: logger))
    }

    // MARK: Invoking

    /// Runs `capability` on `input` in a free runner. For an FFI capability the arguments are checked first, off the
    /// actor (a large JSON input does not hold up other calls), and bad input fails at once without a runner.
    public nonisolated func invoke(capability: String, input: [UInt8], timeout: Duration) async -> Invocation {
        guard let target = targets[capability] else {
            return .failure(.unknownCapability(capability, plugin: nil))
        }
        let request: RunnerRequest
        switch target.call {
        case .native(let index):
            request = .invoke(plugin: index, capability: capability, input: input)
        case .ffi(let declared):
            do {
                request = .ffiCall(plan: try declared.plan(input: input).encode())
            } catch {
                return .failure(.reported(plugin: target.plugin, capability: capability,
                                          resultCode: GRID_PLUGIN_BAD_INPUT, message: error.description))
            }
        }
        return await run(request, target: target, capability: capability, timeout: timeout)
    }

    /// Makes one call in a free runner, replacing the runner when the call left it unusable.
    private func run(_ request: RunnerRequest, target: Target, capability: String, timeout: Duration) async
        -> Invocation {
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
            Self.call(runner, request: request, target: target, capability: capability, timeout: timeout,
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
        let sources = self.sources
        let configuration = self.configuration
        let result = await Self.offload { () -> Result<RunnerProcess, RunnerStartError> in
            Result { () throws(RunnerStartError) -> RunnerProcess in
                try Self.warmRunner(sources: sources, configuration: configuration)
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

    /// A new runner with every accepted plugin loaded: libraries (after checking they still hold the bytes that were
    /// accepted) and FFI manifests (library opened, symbols resolved), in the order of discovery.
    private static func warmRunner(sources: [Source], configuration: RunnerConfiguration)
        throws(RunnerStartError) -> RunnerProcess {
        let runner = try RunnerProcess.spawn(configuration)
        var nativeIndex: UInt32 = 0
        for source in sources {
            let ready: Bool
            let what: String
            switch source {
            case .library(let path, let sha256):
                what = "the plugin \(path)"
                let current = (try? BinaryFile.read(path)).map { Hex.encode(Digest.sha256($0)) }
                guard current == sha256 else {
                    runner.terminate()
                    throw RunnerStartError(executable: configuration.executable,
                                           reason: "\(what) changed on disk since the worker accepted it; restart the "
                                               + "worker to load the new file")
                }
                let timer = KillTimer(runner, after: configuration.loadTimeout)
                let loaded = runner.exchange(.load(path: path))
                let initialized = runner.exchange(.initialize(plugin: nativeIndex))
                let timedOut = timer.finish()
                if case .success(.loaded(let index, _)) = loaded, index == nativeIndex,
                   case .success(.initialized(let code)) = initialized, code == GRID_PLUGIN_OK, !timedOut {
                    ready = true
                } else {
                    ready = false
                }
                nativeIndex += 1
            case .manifest(let library, let symbols):
                what = "the FFI library \(library)"
                let timer = KillTimer(runner, after: configuration.loadTimeout)
                let loaded = runner.exchange(.ffiLoad(library: library, symbols: symbols))
                let timedOut = timer.finish()
                if case .success(.ffiLoaded) = loaded, !timedOut { ready = true } else { ready = false }
            }
            guard ready else {
                runner.terminate()
                throw RunnerStartError(executable: configuration.executable,
                                       reason: "\(what) no longer loads in a new runner")
            }
        }
        return runner
    }

    /// One invocation on `runner`: the invocation, and whether the runner can serve again.
    private static func call(
        _ runner: RunnerProcess, request: RunnerRequest, target: Target, capability: String, timeout: Duration,
        memoryLimit: UInt64
    ) -> (Invocation, healthy: Bool) {
        let exchanged = runner.exchange(request, deadline: .now + timeout)
        let killedForTimeout: Bool
        if case .failure(.timedOut) = exchanged { killedForTimeout = true } else { killedForTimeout = false }
        let plugin = target.plugin
        var death = RunnerDeath(exit: .exited(0), memoryLimit: memoryLimit)
        switch (exchanged, target.call) {
        case (.success(.result(let report)), .native):
            let cpu = Duration.microseconds(Int64(clamping: report.cpuMicroseconds))
            return (Invocation(result: result(of: report, plugin: plugin, capability: capability,
                                              memoryLimit: memoryLimit), cpu: cpu), true)
        case (.success(.ffiResult(let reply, let cpuMicroseconds, let failedAllocation)), .ffi(let declared)):
            let cpu = Duration.microseconds(Int64(clamping: cpuMicroseconds))
            let result = ffiResult(of: reply, declared: declared, plugin: plugin, failedAllocation: failedAllocation,
                                   memoryLimit: memoryLimit)
            return (Invocation(result: result, cpu: cpu), true)
        case (.success, _):
            death.protocolProblem = "it answered an invocation with another kind of frame"
            runner.kill()
        case (.failure(.garbled(let problem)), _):
            death.protocolProblem = problem
            runner.kill()
        case (.failure(.ended(let signal, let failedAllocation)), _):
            death.reportedSignal = signal
            death.failedAllocation = failedAllocation
            // A runner that reported its fatal signal is dying of it (writing a core file can take a while on a
            // loaded machine); one that only closed its channel gets little time before it is killed.
            if !runner.endsOnItsOwn(within: signal == nil ? .milliseconds(200) : .seconds(2)) {
                if signal == nil { death.closedChannel = true }
                runner.kill()
            }
        case (.failure(.timedOut), _):
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

    /// The job's output from an FFI call's reply: the result formatted as JSON, or why there is none.
    private static func ffiResult(
        of reply: [UInt8], declared: FFICapability, plugin: String, failedAllocation: UInt64, memoryLimit: UInt64
    ) -> Result<[UInt8], PluginError> {
        let decoded: FFIReply
        do {
            decoded = try FFIReply(decoding: reply)
        } catch {
            return .failure(.invalidOutput(plugin: plugin, capability: declared.name,
                                           reason: "its runner sent an FFI reply that does not decode: \(error)"))
        }
        do {
            return .success(try declared.format(try decoded.get()))
        } catch let error as FFICallError {
            var message = error.description
            if failedAllocation > 0 && memoryLimit > 0 {
                message += " (an allocation of \(RunnerDeath.size(failedAllocation)) failed: the runner's memory limit "
                    + "is \(RunnerDeath.size(memoryLimit)))"
            }
            return .failure(.reported(plugin: plugin, capability: declared.name, resultCode: GRID_PLUGIN_ERROR,
                                      message: PluginMessage.text(Array(message.utf8))))
        } catch {
            return .failure(.invalidOutput(plugin: plugin, capability: declared.name, reason: "\(error)"))
        }
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
