import GridCore

/// One capability a loaded plugin offers, as its descriptor declared it.
public struct PluginCapability: Sendable, Hashable, CustomStringConvertible {
    /// Dotted lowercase name such as `hash.sha256`.
    public let name: String
    /// Version of the capability.
    public let version: SemanticVersion
    /// One line for people.
    public let description: String
    /// Credits one invocation costs (a hint the matchmaker charges).
    public let cost: UInt32

    public init(name: String, version: SemanticVersion, description: String, cost: UInt32) {
        self.name = name
        self.version = version
        self.description = description
        self.cost = cost
    }
}
