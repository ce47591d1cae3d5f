import Foundation
import GridCore
import GridFFI
import GridPluginHost

/// One plugin file (a library or an FFI manifest) opened for `grid plugin inspect` and `grid plugin test`, with no
/// grid around it.
///
/// The plugin is loaded and called in a one-slot `RunnerPool`, exactly as a worker runs it: a plugin that crashes,
/// exits or hangs takes its runner down, never `grid`, and the failure says how the runner ended.
struct PluginSession {
    /// The plugin as its descriptor (or manifest) declared it, with the file's path and SHA-256.
    let plugin: LoadedPlugin
    /// The FFI manifest, when the file is one.
    let manifest: FFIManifest?
    private let pool: RunnerPool

    /// Loads the plugin at `path` in a runner; throws the loader's one-line reason (path included) when it is
    /// refused. Call `close()` when done.
    init(path: String) async throws {
        guard let executable = RunnerConfiguration.locateExecutable() else {
            throw CLIError("grid-runner was not found beside the grid executable; install it there or set "
                           + "GRID_RUNNER to its path")
        }
        let manifest = try PluginFileDescription.manifest(at: path)
        let file: PluginFile = manifest == nil ? .library(path) : .manifest(path)
        let (pool, report) = await RunnerPool.start(plugins: [file], slots: 1,
                                                     configuration: RunnerConfiguration(executable: executable))
        guard let plugin = report.plugins.first else {
            await pool.shutdown()
            if let failure = report.failures.first { throw CLIError(failure.description) }
            throw CLIError("The plugin \(path) was not loaded, and the loader gave no reason.")
        }
        self.plugin = plugin
        self.manifest = manifest
        self.pool = pool
    }

    /// Runs `capability` on `input` in the runner and returns its output; throws a one-line reason when the
    /// capability is not offered, when the plugin fails or crashes, or when it has not answered within `timeout`
    /// (its runner is then killed).
    func run(capability: String, input: [UInt8], timeout: Duration) async throws -> [UInt8] {
        guard plugin.capability(named: capability) != nil else {
            let offered = plugin.capabilities.map(\.name).joined(separator: ", ")
            throw CLIError(
                "the plugin \(plugin.name) (\(plugin.path)) does not offer the capability \(capability); "
                    + "it offers \(offered)")
        }
        switch await pool.invoke(capability: capability, input: input, timeout: timeout).result {
        case .success(let output):
            return output
        case .failure(let error):
            throw CLIError(error.description)
        }
    }

    /// Ends the runner.
    func close() async {
        await pool.shutdown()
    }
}
