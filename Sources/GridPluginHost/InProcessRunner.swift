import CGridPluginABI

/// Runs capabilities by calling the plugin's `invoke` directly in this process (a crash takes the process down).
struct InProcessRunner: CapabilityRunner {
    /// The descriptor of a loaded plugin.
    ///
    /// `@unchecked Sendable`: the descriptor lives as long as the process (the library is opened with
    /// RTLD_NODELETE and never closed) and the host never writes to it; the ABI requires `invoke` to be safe to
    /// call from several threads at once.
    struct Descriptor: @unchecked Sendable {
        let pointer: UnsafePointer<grid_plugin>
    }

    let pluginName: String
    let descriptor: Descriptor

    func run(capability: String, input: [UInt8]) throws -> [UInt8] {
        let plugin = descriptor.pointer.pointee
        guard let invoke = plugin.invoke, let freeBuffer = plugin.free_buffer else {
            throw PluginError.invalidOutput(
                plugin: pluginName,
                capability: capability,
                reason: "its invoke or free_buffer function is NULL"
            )
        }
        var output = grid_buffer(data: nil, length: 0)
        let resultCode = capability.withCString { name in
            input.withUnsafeBufferPointer { bytes in
                invoke(name, bytes.baseAddress, bytes.count, &output)
            }
        }
        defer {
            if output.data != nil { freeBuffer(output) }
        }
        let bytes: [UInt8]
        switch (output.data, output.length) {
        case (_, 0):
            bytes = []
        case (let data?, let length):
            bytes = Array(UnsafeBufferPointer(start: data, count: length))
        case (nil, let length):
            throw PluginError.invalidOutput(
                plugin: pluginName,
                capability: capability,
                reason: "it returned a buffer of \(length) bytes with no data"
            )
        }
        guard resultCode == GRID_PLUGIN_OK else {
            throw PluginError.reported(
                plugin: pluginName,
                capability: capability,
                resultCode: resultCode,
                message: Self.message(bytes)
            )
        }
        return bytes
    }

    /// A plugin's error buffer as text (see `PluginMessage.text`).
    static func message(_ bytes: [UInt8]) -> String {
        PluginMessage.text(bytes)
    }
}
