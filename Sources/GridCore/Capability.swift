/// One ability a worker offers through a plugin, as advertised to the matchmaker.
public struct CapabilityOffer: Hashable, Sendable, Codable {
    public var name: String
    public var version: SemanticVersion
    public var description: String
    /// Credits one invocation costs.
    public var cost: Int
    /// The plugin that provides it.
    public var plugin: String

    public init(name: String, version: SemanticVersion, description: String, cost: Int, plugin: String) {
        self.name = name
        self.version = version
        self.description = description
        self.cost = cost
        self.plugin = plugin
    }
}
