import CGridPluginABI

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A `PluginDefinition` laid out as a C descriptor, plus the C entry points that dispatch to its handlers.
///
/// `@unchecked Sendable`: every stored property is immutable after `init`, and the memory the descriptor points
/// to is written once in `init` and never freed or changed (the host reads it for the life of the process).
final class ExportedPlugin: @unchecked Sendable {
    let descriptor: UnsafeMutablePointer<grid_plugin>
    private let handlers: [String: Capability.Handler]
    private let setUp: (@Sendable () throws -> Void)?
    private let tearDown: (@Sendable () -> Void)?

    init(_ definition: PluginDefinition) {
        // A duplicate name keeps its first handler; the host refuses such a descriptor with a clear reason.
        handlers = Dictionary(
            definition.capabilities.map { ($0.name, $0.handler) },
            uniquingKeysWith: { first, _ in first }
        )
        setUp = definition.setUp
        tearDown = definition.tearDown

        let count = definition.capabilities.count
        let capabilities = UnsafeMutablePointer<grid_capability>.allocate(capacity: max(count, 1))
        for (index, capability) in definition.capabilities.enumerated() {
            (capabilities + index).initialize(
                to: grid_capability(
                    name: Self.permanentCString(capability.name),
                    version: Self.permanentCString(capability.version),
                    description: Self.permanentCString(capability.description),
                    cost: capability.cost,
                    flags: capability.deterministic ? 0 : GRID_CAPABILITY_NONDETERMINISTIC
                )
            )
        }

        descriptor = UnsafeMutablePointer<grid_plugin>.allocate(capacity: 1)
        descriptor.initialize(
            to: grid_plugin(
                abi_version: GRID_PLUGIN_ABI_VERSION,
                name: Self.permanentCString(definition.name),
                version: Self.permanentCString(definition.version),
                capability_count: count,
                capabilities: UnsafePointer(capabilities),
                init: { ExportedPlugin.initEntry() },
                invoke: { ExportedPlugin.invokeEntry($0, $1, $2, $3) },
                free_buffer: { ExportedPlugin.freeBufferEntry($0) },
                deinit: { ExportedPlugin.deinitEntry() }
            )
        )
    }

    /// A NUL-terminated copy of `text` that is never freed.
    private static func permanentCString(_ text: String) -> UnsafePointer<CChar> {
        let utf8 = Array(text.utf8)
        let memory = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count + 1)
        for (index, byte) in utf8.enumerated() {
            (memory + index).initialize(to: CChar(bitPattern: byte))
        }
        (memory + utf8.count).initialize(to: 0)
        return UnsafePointer(memory)
    }

    // MARK: C entry points

    static func initEntry() -> Int32 {
        guard let plugin = PluginDefinition.exported else { return GRID_PLUGIN_ERROR }
        do {
            try plugin.setUp?()
            return GRID_PLUGIN_OK
        } catch {
            return GRID_PLUGIN_ERROR
        }
    }

    static func deinitEntry() {
        PluginDefinition.exported?.tearDown?()
    }

    static func freeBufferEntry(_ buffer: grid_buffer) {
        free(buffer.data)
    }

    static func invokeEntry(
        _ capability: UnsafePointer<CChar>?,
        _ input: UnsafePointer<UInt8>?,
        _ inputLength: Int,
        _ output: UnsafeMutablePointer<grid_buffer>?
    ) -> Int32 {
        guard let output else { return GRID_PLUGIN_ERROR }
        output.pointee = grid_buffer(data: nil, length: 0)
        guard let plugin = PluginDefinition.exported else {
            return reply("The plugin was invoked before its descriptor was exported.", GRID_PLUGIN_ERROR, output)
        }
        guard let capability, let name = String(validatingCString: capability) else {
            return reply("The capability name is missing or not UTF-8.", GRID_PLUGIN_UNKNOWN_CAPABILITY, output)
        }
        guard let handler = plugin.handlers[name] else {
            return reply("This plugin has no capability named \(name).", GRID_PLUGIN_UNKNOWN_CAPABILITY, output)
        }
        let bytes: [UInt8]
        switch (input, inputLength) {
        case (_, 0):
            bytes = []
        case (let input?, 1...):
            bytes = Array(UnsafeBufferPointer(start: input, count: inputLength))
        default:
            return reply("The host passed an invalid input buffer.", GRID_PLUGIN_BAD_INPUT, output)
        }
        do {
            let result = try handler(bytes)
            return write(result, output) ? GRID_PLUGIN_OK : GRID_PLUGIN_ERROR
        } catch let error as CapabilityError {
            return reply(error.message, error.isBadInput ? GRID_PLUGIN_BAD_INPUT : GRID_PLUGIN_ERROR, output)
        } catch {
            return reply(String(describing: error), GRID_PLUGIN_ERROR, output)
        }
    }

    /// Writes `message` to `output` and returns `code`.
    private static func reply(_ message: String, _ code: Int32, _ output: UnsafeMutablePointer<grid_buffer>) -> Int32 {
        _ = write(Array(message.utf8), output)
        return code
    }

    /// Copies `bytes` into a `malloc`ed buffer in `output`; false when memory ran out.
    private static func write(_ bytes: [UInt8], _ output: UnsafeMutablePointer<grid_buffer>) -> Bool {
        output.pointee = grid_buffer(data: nil, length: 0)
        guard !bytes.isEmpty else { return true }
        guard let memory = malloc(bytes.count) else { return false }
        let data = memory.bindMemory(to: UInt8.self, capacity: bytes.count)
        bytes.withUnsafeBufferPointer { source in
            if let base = source.baseAddress {
                data.update(from: base, count: bytes.count)
            }
        }
        output.pointee = grid_buffer(data: data, length: bytes.count)
        return true
    }
}
