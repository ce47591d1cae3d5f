import CGridPluginABI
import GridCore
import GridCrypto
import GridRunnerProtocol

/// Loading plugin files for the first time: in a runner, so a plugin that crashes while loading fails alone.
extension RunnerPool {
    /// Loads `paths` in a throwaway runner; returns the report (plugins accepted, files refused) and the paths of
    /// the accepted plugins in order, which every warm runner then loads.
    static func discover(_ paths: [String], configuration: RunnerConfiguration) -> (PluginLoadReport, [String]) {
        var report = PluginLoadReport()
        var accepted: [String] = []
        var claims = CapabilityClaims()
        var runner: RunnerProcess?
        defer { runner?.terminate() }
        for path in paths {
            do throws(PluginLoadFailure) {
                let openPath = PluginLoader.openPath(path)
                let digest = Hex.encode(Digest.sha256(try BinaryFile.read(openPath)))
                if runner == nil {
                    do {
                        runner = try RunnerProcess.spawn(configuration)
                    } catch {
                        throw PluginLoadFailure.runnerUnavailable(
                            path, reason: "\(error.executable) could not be started: \(error.reason)")
                    }
                }
                guard let current = runner else { continue }
                do {
                    let plugin = try describe(openPath, path: path, digest: digest, runner: current,
                                              configuration: configuration, claims: &claims)
                    report.plugins.append(plugin)
                    accepted.append(openPath)
                } catch let failure where failure.kind == .runnerFailed {
                    runner = nil  // describe() reaped it
                    throw failure
                }
            } catch {
                report.failures.append(error)
            }
        }
        return (report, accepted)
    }

    private static func describe(
        _ openPath: String, path: String, digest: String, runner: RunnerProcess,
        configuration: RunnerConfiguration, claims: inout CapabilityClaims
    ) throws(PluginLoadFailure) -> LoadedPlugin {
        let timer = KillTimer(runner, after: configuration.loadTimeout)
        let loaded = runner.exchange(.load(path: openPath))
        var initialized: Result<RunnerReply, RunnerProcess.Broken>?
        var validated: PluginValidator.Validated?
        var refusal: PluginLoadFailure?
        switch loaded {
        case .success(.loaded(let index, let snapshot)):
            do {
                let checked = try PluginValidator.validate(snapshot, path: path)
                try claims.check(plugin: checked.name, capabilities: checked.capabilities.map(\.name), path: path)
                validated = checked
                initialized = runner.exchange(.initialize(plugin: index))
            } catch {
                refusal = error
            }
        case .success(.loadFailed(let failure, let reason)):
            switch failure {
            case .openFailed: refusal = .openFailed(path, dlerror: reason)
            case .missingEntry: refusal = .missingEntry(path, dlerror: reason)
            case .nullDescriptor: refusal = .nullDescriptor(path)
            }
        default:
            break
        }
        let timedOut = timer.finish()
        if let refusal, !timedOut { throw refusal }
        let broken: RunnerProcess.Broken?
        switch (initialized ?? loaded) {
        case .success(.initialized(let code)) where !timedOut:
            guard code == GRID_PLUGIN_OK else { throw .initFailed(path, resultCode: code) }
            broken = nil
        case .success(.loaded), .success(.loadFailed):
            broken = timedOut ? .ended(dyingSignal: nil, failedAllocation: 0) : nil
        case .success:
            broken = .garbled("it answered with another kind of frame")
        case .failure(let failure):
            broken = failure
        }
        if let broken {
            throw .runnerDied(path, clause: deathClause(runner, broken: broken, timedOut: timedOut,
                                                        configuration: configuration))
        }
        guard let validated else { throw .runnerDied(path, clause: "answered out of order") }
        claims.claim(plugin: validated.name, capabilities: validated.capabilities.map(\.name), path: path)
        return LoadedPlugin(name: validated.name, version: validated.version, path: path, sha256: digest,
                            capabilities: validated.capabilities, runner: nil)
    }

    /// Reaps a runner that broke while loading and says how it ended.
    private static func deathClause(
        _ runner: RunnerProcess, broken: RunnerProcess.Broken, timedOut: Bool, configuration: RunnerConfiguration
    ) -> String {
        var death = RunnerDeath(exit: .exited(0), memoryLimit: configuration.memoryLimit)
        switch broken {
        case .timedOut:
            break  // already killed
        case .garbled(let problem):
            death.protocolProblem = problem
            runner.kill()
        case .ended(let signal, let failedAllocation):
            death.reportedSignal = signal
            death.failedAllocation = failedAllocation
            if !timedOut && !runner.endsOnItsOwn(within: .milliseconds(200)) {
                death.closedChannel = true
                runner.kill()
            }
        }
        death.exit = runner.reap().status
        if timedOut {
            return "did not finish loading within \(configuration.loadTimeout) and was killed"
        }
        return death.clause
    }
}
