import GridPluginKit

/// A Swift plugin that stops the process with `fatalError` on request, for the isolation tests (built as
/// libGridTestPluginFaultsSwift.so; never shipped to workers).
let faultsPlugin = PluginDefinition(
    name: "faults-swift",
    version: "1.0.0",
    capabilities: [
        Capability("swiftfaults.echo", version: "1.0.0", description: "Returns its input.", cost: 1) { input in
            input
        },
        Capability("swiftfaults.fatal", version: "1.0.0", description: "Calls fatalError.", cost: 1) { _ in
            fatalError("the faults fixture was asked to stop")
        },
    ]
)

@_cdecl("grid_plugin_entry")
public func gridPluginEntry() -> UnsafeRawPointer {
    faultsPlugin.export()
}
