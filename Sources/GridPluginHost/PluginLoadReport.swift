/// What a load produced: the plugins now usable and, for every file refused, its path and the reason.
public struct PluginLoadReport: Sendable {
    /// Plugins loaded, in load order (file names sorted).
    public var plugins: [LoadedPlugin]
    /// Files refused (or the directory, when it could not be listed), in load order.
    public var failures: [PluginLoadFailure]
    /// Files loaded with a remark, such as a signature present but not valid (the plugin is then "unsigned").
    public var warnings: [String] = []

    public init(plugins: [LoadedPlugin] = [], failures: [PluginLoadFailure] = []) {
        self.plugins = plugins
        self.failures = failures
    }
}
