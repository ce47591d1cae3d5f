/// Runs capabilities of one loaded plugin: in this process today, in an isolated child process later.
///
/// A runner throws `PluginError` for every failure, naming the plugin and the capability.
public protocol CapabilityRunner: Sendable {
    /// Runs `capability` on `input` and returns its output.
    func run(capability: String, input: [UInt8]) throws -> [UInt8]
}
