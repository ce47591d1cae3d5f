/// Which loaded plugin runs each capability; what the worker consults to run a job and to advertise.
public struct PluginRegistry: Sendable {
    /// The plugins, in load order.
    public let plugins: [LoadedPlugin]
    private let pluginIndexByCapability: [String: Int]

    /// A registry of `plugins`; throws when two share a name or a capability (naming the later one).
    ///
    /// Plugins from one `PluginLoader` report never do: the loader already refused such duplicates.
    public init(plugins: [LoadedPlugin]) throws(PluginLoadFailure) {
        var claims = CapabilityClaims()
        var index: [String: Int] = [:]
        for (position, plugin) in plugins.enumerated() {
            let names = plugin.capabilities.map(\.name)
            try claims.check(plugin: plugin.name, capabilities: names, path: plugin.path)
            claims.claim(plugin: plugin.name, capabilities: names, path: plugin.path)
            for name in names {
                index[name] = position
            }
        }
        self.plugins = plugins
        pluginIndexByCapability = index
    }

    /// Every capability offered, sorted by name.
    public var capabilities: [PluginCapability] {
        pluginIndexByCapability.keys.sorted().compactMap { capability(named: $0) }
    }

    /// The plugin that runs `capability`.
    public func plugin(for capability: String) -> LoadedPlugin? {
        pluginIndexByCapability[capability].map { plugins[$0] }
    }

    /// The capability called `name`, with its version and cost.
    public func capability(named name: String) -> PluginCapability? {
        plugin(for: name)?.capability(named: name)
    }

    /// Runs `capability` on `input` with the plugin that offers it; throws `PluginError`.
    public func invoke(capability: String, input: [UInt8]) throws -> [UInt8] {
        guard let plugin = plugin(for: capability) else {
            throw PluginError.unknownCapability(capability, plugin: nil)
        }
        return try plugin.invoke(capability: capability, input: input)
    }
}
