import Foundation
import GridCore
import GridPluginHost

/// One plugin file opened for `grid plugin inspect` and `grid plugin test`, with no grid around it.
///
/// The only place these commands load and call a plugin. Today both happen in this process
/// (`PluginLoader.loadFiles` and `LoadedPlugin.invoke`), so a plugin that crashes takes `grid` down with it and
/// one that hangs is abandoned when `grid` exits; the isolated runner replaces both here.
struct PluginSession {
    /// The plugin as its descriptor declared it, with the file's path and SHA-256.
    let plugin: LoadedPlugin

    /// Loads the plugin at `path`; throws the loader's one-line reason (path included) when it is refused.
    init(path: String) throws {
        let report = PluginLoader.loadFiles([path])
        if let failure = report.failures.first {
            throw CLIError(failure.description)
        }
        guard let plugin = report.plugins.first else {
            throw CLIError("The plugin \(path) was not loaded, and the loader gave no reason.")
        }
        self.plugin = plugin
    }

    /// Runs `capability` on `input` and returns its output; throws a one-line reason when the capability is not
    /// offered, when the plugin fails, or when it has not answered within `timeout`.
    func run(capability: String, input: [UInt8], timeout: Duration) async throws -> [UInt8] {
        guard plugin.capability(named: capability) != nil else {
            let offered = plugin.capabilities.map(\.name).joined(separator: ", ")
            throw CLIError(
                "the plugin \(plugin.name) (\(plugin.path)) does not offer the capability \(capability); "
                    + "it offers \(offered)")
        }
        let plugin = self.plugin
        let outcome = Outcome()
        let result: Swift.Result<[UInt8], any Error> = await withCheckedContinuation { continuation in
            // An in-process call cannot be interrupted: on timeout it is left running and `grid` exits.
            DispatchQueue.global().async {
                outcome.finish(continuation, Swift.Result { try plugin.invoke(capability: capability, input: input) })
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout.inSeconds) {
                let late = CLIError(
                    "the capability \(capability) of plugin \(plugin.name) did not answer within "
                        + "\(JobOutput.formatSeconds(timeout.inSeconds))")
                outcome.finish(continuation, .failure(late))
            }
        }
        switch result {
        case .success(let output):
            return output
        case .failure(let error as PluginError):
            throw CLIError(error.description)
        case .failure(let error):
            throw error
        }
    }

    /// Hands the first of the call's result and the timeout to the waiting task, and drops the other.
    private final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var finished = false

        func finish(_ continuation: CheckedContinuation<Swift.Result<[UInt8], any Error>, Never>,
                    _ result: Swift.Result<[UInt8], any Error>) {
            let first = lock.withLock {
                defer { finished = true }
                return !finished
            }
            if first { continuation.resume(returning: result) }
        }
    }
}
