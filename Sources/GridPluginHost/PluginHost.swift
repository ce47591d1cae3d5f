/// What runs a worker's plugins: `RunnerPool` (isolated child processes, the default) or `InProcessHost`.
public protocol PluginHost: Sendable {
    /// The plugins loaded, in load order.
    var plugins: [LoadedPlugin] { get }
    /// Runs `capability` on `input`, giving up (and, for runners, killing the runner) after `timeout`.
    func invoke(capability: String, input: [UInt8], timeout: Duration) async -> Invocation
    /// Stops every runner; later invocations fail.
    func shutdown() async
}

extension PluginHost {
    /// The plugin that offers `capability`.
    public func plugin(for capability: String) -> LoadedPlugin? {
        plugins.first { $0.capability(named: capability) != nil }
    }
}
