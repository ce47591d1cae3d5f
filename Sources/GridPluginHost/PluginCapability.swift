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
    /// False when the same input may give different outputs (`GRID_CAPABILITY_NONDETERMINISTIC`, or
    /// `"deterministic": false` in an FFI manifest): such a capability cannot be run redundantly and compared.
    public let deterministic: Bool

    public init(name: String, version: SemanticVersion, description: String, cost: UInt32, deterministic: Bool = true) {
        self.name = name
        self.version = version
        self.description = description
        self.cost = cost
        self.deterministic = deterministic
    }
}
