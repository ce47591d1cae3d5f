import CGridPluginABI
import Foundation
import GridCore
import GridCrypto
import GridFFI
import GridPluginTrust
import GridRunnerProtocol

/// Loading plugin files for the first time: in a runner, so a plugin that crashes while loading fails alone.
extension RunnerPool {
    /// What every warm runner loads, in order, for one accepted plugin.
    enum Source: Sendable {
        /// A plugin library: the path to open and the SHA-256 (hex) of the bytes that were accepted.
        case library(openPath: String, sha256: String)
        /// An FFI manifest: the library it names and every symbol it declares.
        case manifest(library: String, symbols: [String])
    }

    /// One plugin accepted at discovery: what warm runners load, and the manifest for an FFI plugin.
    struct Accepted: Sendable {
        var source: Source
        var manifest: FFIManifest?
    }

    /// Loads `files` in a throwaway runner; returns the report (plugins accepted, files refused) and, for each
    /// accepted plugin in the same order, what every warm runner then loads.
    static func discover(
        _ files: [PluginFile], trust: PluginTrustPolicy, configuration: RunnerConfiguration
    ) -> (PluginLoadReport, [Accepted]) {
        var report = PluginLoadReport()
        var accepted: [Accepted] = []
        var claims = CapabilityClaims()
        var runner: RunnerProcess?
        defer { runner?.terminate() }
        for file in files {
            let path = file.path
            do throws(PluginLoadFailure) {
                let openPath = PluginLoader.openPath(path)
                // One read: these bytes are hashed, checked against the signature and (for a manifest) parsed.
                let bytes = try BinaryFile.read(openPath)
                let digest = Hex.encode(Digest.sha256(bytes))
                let (author, warning) = try PluginTrustCheck.authorship(
                    path: path, openPath: openPath, fileBytes: bytes, trust: trust)
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
                    switch file {
                    case .library:
                        let plugin = try describe(openPath, path: path, digest: digest, runner: current,
                                                  configuration: configuration, claims: &claims)
                        report.plugins.append(plugin.withAuthor(author))
                        accepted.append(Accepted(source: .library(openPath: openPath, sha256: digest), manifest: nil))
                    case .manifest:
                        let manifest = try parse(bytes, path: path, openPath: openPath)
                        let plugin = try describe(manifest, path: path, digest: digest, author: author,
                                                  runner: current, configuration: configuration, claims: &claims)
                        report.plugins.append(plugin)
                        let symbols = manifest.capabilities.map(\.symbol)
                        accepted.append(Accepted(source: .manifest(library: manifest.library, symbols: symbols),
                                                 manifest: manifest))
                    }
                    if let warning { report.warnings.append(warning) }
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

    private static func parse(_ bytes: [UInt8], path: String, openPath: String) throws(PluginLoadFailure)
        -> FFIManifest {
        guard bytes.count <= FFIManifest.maximumFileSize else {
            throw .invalidManifest(path, reason: "it has \(bytes.count) bytes, more than the "
                + "\(FFIManifest.maximumFileSize) a manifest may have")
        }
        do {
            let folder = URL(fileURLWithPath: openPath).deletingLastPathComponent().path
            return try FFIManifest(parsing: bytes, file: path, folder: folder)
        } catch {
            throw .invalidManifest(path, reason: error.reason)
        }
    }

    /// Checks an FFI manifest's names against the plugins loaded before it, then has the runner open its library
    /// and resolve every symbol it declares.
    private static func describe(
        _ manifest: FFIManifest, path: String, digest: String, author: String, runner: RunnerProcess,
        configuration: RunnerConfiguration, claims: inout CapabilityClaims
    ) throws(PluginLoadFailure) -> LoadedPlugin {
        let names = manifest.capabilities.map(\.name)
        try claims.check(plugin: manifest.name, capabilities: names, path: path)
        let timer = KillTimer(runner, after: configuration.loadTimeout)
        let loaded = runner.exchange(.ffiLoad(library: manifest.library, symbols: manifest.capabilities.map(\.symbol)))
        let timedOut = timer.finish()
        let broken: RunnerProcess.Broken
        switch loaded {
        case .success(.ffiLoaded) where !timedOut:
            claims.claim(plugin: manifest.name, capabilities: names, path: path)
            let capabilities = manifest.capabilities.map {
                PluginCapability(name: $0.name, version: $0.version, description: $0.description, cost: $0.cost,
                                 deterministic: $0.deterministic)
            }
            return LoadedPlugin(name: manifest.name, version: manifest.version, path: path, sha256: digest,
                                capabilities: capabilities, author: author, runner: nil)
        case .success(.loadFailed(.missingSymbol, let reason)) where !timedOut:
            throw .symbolUnavailable(path, reason: reason)
        case .success(.loadFailed(_, let reason)) where !timedOut:
            throw .libraryUnavailable(path, reason: reason)
        case .success:
            broken = timedOut ? .ended(dyingSignal: nil, failedAllocation: 0)
                : .garbled("it answered an FFI load with another kind of frame")
        case .failure(let failure):
            broken = failure
        }
        throw .runnerDied(path, clause: deathClause(runner, broken: broken, timedOut: timedOut,
                                                    configuration: configuration))
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
            case .missingEntry, .missingSymbol: refusal = .missingEntry(path, dlerror: reason)
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
        // The runner opened the file by path: make sure it still holds the bytes that were hashed and trusted.
        let loadedDigest = Hex.encode(Digest.sha256(try BinaryFile.read(openPath)))
        guard loadedDigest == digest else { throw .changed(path, decided: digest, loaded: loadedDigest) }
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
