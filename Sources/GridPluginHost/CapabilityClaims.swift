/// Which plugin (and file) owns each capability and plugin name so far; a later duplicate is refused.
struct CapabilityClaims: Sendable {
    private var capabilityOwners: [String: (plugin: String, path: String)] = [:]
    private var pluginPaths: [String: String] = [:]

    /// Throws when the plugin `name` from `path` reuses a plugin name or a capability already claimed.
    func check(plugin name: String, capabilities: [String], path: String) throws(PluginLoadFailure) {
        if let ownerPath = pluginPaths[name] {
            throw .duplicatePluginName(path, name: name, ownerPath: ownerPath)
        }
        for capability in capabilities {
            if let owner = capabilityOwners[capability] {
                throw .duplicateCapability(path, capability: capability, owner: owner.plugin, ownerPath: owner.path)
            }
        }
    }

    /// Records the plugin `name` from `path` as the owner of its name and capabilities.
    mutating func claim(plugin name: String, capabilities: [String], path: String) {
        pluginPaths[name] = path
        for capability in capabilities {
            capabilityOwners[capability] = (name, path)
        }
    }
}
