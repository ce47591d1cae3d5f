/// A whole plugin as its Swift author describes it; `export()` turns it into the C descriptor the host loads.
public struct PluginDefinition: Sendable {
    /// Plugin name such as `hash`.
    public var name: String
    /// Semantic version of the plugin, such as `1.0.0`.
    public var version: String
    /// The capabilities offered, in the order the host lists them.
    public var capabilities: [Capability]
    /// Runs once after the host loads the plugin; throwing refuses the load.
    public var setUp: (@Sendable () throws -> Void)?
    /// Runs when the host stops using the plugin.
    public var tearDown: (@Sendable () -> Void)?

    public init(
        name: String,
        version: String,
        capabilities: [Capability],
        setUp: (@Sendable () throws -> Void)? = nil,
        tearDown: (@Sendable () -> Void)? = nil
    ) {
        self.name = name
        self.version = version
        self.capabilities = capabilities
        self.setUp = setUp
        self.tearDown = tearDown
    }
}
