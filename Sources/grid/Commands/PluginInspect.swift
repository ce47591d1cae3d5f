import ArgumentParser
import Foundation
import GridFFI
import GridPluginHost

struct PluginInspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Load a plugin file in a runner and print its descriptor: name, version, SHA-256 and capabilities.",
        discussion: """
            A file the loader refuses gets its path and the reason on one line, and exit code 1. For an FFI manifest \
            the library is opened and every symbol resolved, and each capability's C signature is shown.
            """)

    @Argument(help: ArgumentHelp("The plugin's shared library (*.so) or FFI manifest (*.json).", valueName: "path"))
    var path: String

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() async throws {
        let session = try await PluginSession(path: path)
        await session.close()
        let plugin = session.plugin
        if json {
            say(JobPresentation.json(PluginPresentation(plugin, manifest: session.manifest)))
            return
        }
        say("plugin  \(plugin.name) \(plugin.version)")
        say("file    \(plugin.path)")
        say("sha256  \(plugin.sha256)")
        if let manifest = session.manifest {
            say("library \(manifest.library)")
        }
        var table = Table("CAPABILITY", "VERSION", "COST", "DETERMINISTIC", "DESCRIPTION")
        for capability in plugin.capabilities {
            table.add(capability.name, "\(capability.version)", "\(capability.cost)",
                      capability.deterministic ? "yes" : "no", capability.description)
        }
        say("")
        say(table.render())
        if let manifest = session.manifest {
            say("")
            for capability in manifest.capabilities {
                say("\(capability.name): \(capability.cSignature)")
            }
        }
    }
}

/// A loaded plugin as `grid plugin inspect --json` prints it.
struct PluginPresentation: Encodable {
    struct Capability: Encodable {
        var name: String
        var version: String
        var cost: UInt32
        /// False when the same input may give different outputs.
        var deterministic: Bool
        var description: String
        /// The C declaration it calls, for a capability of an FFI manifest.
        var cSignature: String?
    }

    var name: String
    var version: String
    var path: String
    var sha256: String
    /// The library an FFI manifest calls into.
    var library: String?
    var capabilities: [Capability]

    init(_ plugin: LoadedPlugin, manifest: FFIManifest? = nil) {
        name = plugin.name
        version = "\(plugin.version)"
        path = plugin.path
        sha256 = plugin.sha256
        library = manifest?.library
        capabilities = plugin.capabilities.map {
            Capability(name: $0.name, version: "\($0.version)", cost: $0.cost, deterministic: $0.deterministic,
                       description: $0.description,
                       cSignature: manifest?.capability(named: $0.name)?.cSignature)
        }
    }
}
