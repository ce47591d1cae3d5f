import CGridPluginABI
import Synchronization

/// The definition this process exported, set by the first call to `PluginDefinition.export()`.
private let exportedPlugin = Mutex<ExportedPlugin?>(nil)

extension PluginDefinition {
    /// Builds the C `grid_plugin` descriptor for this definition and returns its address.
    ///
    /// Call it from the plugin's entry point:
    /// ```swift
    /// @_cdecl("grid_plugin_entry")
    /// public func gridPluginEntry() -> UnsafeRawPointer { plugin.export() }
    /// ```
    /// The descriptor, its strings and its capability array are allocated on the first call and kept for the
    /// life of the process; later calls return the same address (and ignore a different definition).
    public func export() -> UnsafeRawPointer {
        let definition = self
        return exportedPlugin.withLock { current in
            if let current {
                return UnsafeRawPointer(current.descriptor)
            }
            let plugin = ExportedPlugin(definition)
            current = plugin
            return UnsafeRawPointer(plugin.descriptor)
        }
    }

    /// The exported plugin of this process, if `export()` ran.
    static var exported: ExportedPlugin? {
        exportedPlugin.withLock { $0 }
    }
}
