/// A plugin a worker withdrew from its ad because its runners kept crashing; shown by `grid peers`.
public struct QuarantinedPlugin: Hashable, Sendable, Codable {
    /// The plugin's name.
    public var plugin: String
    /// The capabilities withdrawn with it.
    public var capabilities: [String]
    /// Why, in a sentence: how many crashes in what time, and the last one.
    public var reason: String
    /// When it was quarantined, in Unix milliseconds.
    public var since: Int64

    public init(plugin: String, capabilities: [String], reason: String, since: Int64) {
        self.plugin = plugin
        self.capabilities = capabilities
        self.reason = reason
        self.since = since
    }
}
