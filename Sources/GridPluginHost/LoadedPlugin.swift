import GridCore

/// A plugin that passed every check and whose `init` succeeded, ready to run its capabilities.
public struct LoadedPlugin: Sendable, CustomStringConvertible {
    /// Plugin name, unique among loaded plugins.
    public let name: String
    /// Plugin version.
    public let version: SemanticVersion
    /// The file it was loaded from.
    public let path: String
    /// SHA-256 of the file, lowercase hex (recorded with results; the basis of trust checks).
    public let sha256: String
    /// Its capabilities, in the order the descriptor (or FFI manifest) lists them.
    public let capabilities: [PluginCapability]
    /// Who signed the file: the verified author's peer id in hex, or "unsigned" (`CapabilityOffer.unsignedAuthor`).
    public private(set) var author: String
    /// What runs an invocation in this process (`grid worker --in-process`); nil for a plugin loaded in runner
    /// processes, which `RunnerPool` runs.
    public private(set) var runner: (any CapabilityRunner)?

    public init(
        name: String,
        version: SemanticVersion,
        path: String,
        sha256: String,
        capabilities: [PluginCapability],
        author: String = CapabilityOffer.unsignedAuthor,
        runner: (any CapabilityRunner)?
    ) {
        self.name = name
        self.version = version
        self.path = path
        self.sha256 = sha256
        self.capabilities = capabilities
        self.author = author
        self.runner = runner
    }

    /// The same plugin, run by `runner` instead.
    public func withRunner(_ runner: any CapabilityRunner) -> LoadedPlugin {
        var copy = self
        copy.runner = runner
        return copy
    }

    /// The same plugin, advertised as signed by `author`.
    public func withAuthor(_ author: String) -> LoadedPlugin {
        var copy = self
        copy.author = author
        return copy
    }

    /// The capability called `name`, if this plugin offers it.
    public func capability(named name: String) -> PluginCapability? {
        capabilities.first { $0.name == name }
    }

    /// Runs `capability` on `input`; throws `PluginError` when the plugin does not offer it or fails.
    public func invoke(capability: String, input: [UInt8]) throws -> [UInt8] {
        guard self.capability(named: capability) != nil else {
            throw PluginError.unknownCapability(capability, plugin: name)
        }
        guard let runner else {
            throw PluginError.invalidOutput(plugin: name, capability: capability,
                                            reason: "it was loaded in runner processes; call it through RunnerPool")
        }
        return try runner.run(capability: capability, input: input)
    }

    public var description: String {
        "\(name) \(version) (\(capabilities.map(\.name).joined(separator: ", "))) from \(path)"
    }
}
