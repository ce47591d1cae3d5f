import ArgumentParser
import Foundation
import GridPluginHost

struct PluginInspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Load a plugin file and print its descriptor: name, version, SHA-256 and capabilities.",
        discussion: "A file the loader refuses gets its path and the reason on one line, and exit code 1.")

    @Argument(help: ArgumentHelp("The plugin's shared library (*.so).", valueName: "path"))
    var path: String

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() async throws {
        let plugin = try PluginSession(path: path).plugin
        if json {
            say(JobPresentation.json(PluginPresentation(plugin)))
            return
        }
        say("plugin  \(plugin.name) \(plugin.version)")
        say("file    \(plugin.path)")
        say("sha256  \(plugin.sha256)")
        var table = Table("CAPABILITY", "VERSION", "COST", "DESCRIPTION")
        for capability in plugin.capabilities {
            table.add(capability.name, "\(capability.version)", "\(capability.cost)", capability.description)
        }
        say("")
        say(table.render())
    }
}

/// A loaded plugin as `grid plugin inspect --json` prints it.
struct PluginPresentation: Encodable {
    struct Capability: Encodable {
        var name: String
        var version: String
        var cost: UInt32
        var description: String
    }

    var name: String
    var version: String
    var path: String
    var sha256: String
    var capabilities: [Capability]

    init(_ plugin: LoadedPlugin) {
        name = plugin.name
        version = "\(plugin.version)"
        path = plugin.path
        sha256 = plugin.sha256
        capabilities = plugin.capabilities.map {
            Capability(name: $0.name, version: "\($0.version)", cost: $0.cost, description: $0.description)
        }
    }
}
