import ArgumentParser
import Foundation
import GridPluginHost

extension PluginTemplate.Language: ExpressibleByArgument {}

struct PluginNew: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Write a new plugin, in Swift or C, that builds as it is.",
        discussion: """
            The plugin offers one capability, NAME.echo, which returns its input and refuses an empty one. \
            A C plugin is NAME.c, a copy of grid_plugin.h and a Makefile; a Swift plugin is a SwiftPM package \
            whose target depends on GridPluginKit from PeerGrid (see --peergrid). The steps from here to a job \
            served by a worker are in docs/writing-plugins.md.
            """)

    @Argument(help: ArgumentHelp("The plugin's name: 1 to 64 of a-z, 0-9, '-', '_', starting with a letter or digit."))
    var name: String

    @Option(help: "The language the plugin is written in.")
    var lang: PluginTemplate.Language

    @Option(help: ArgumentHelp("The folder to create (default: ./NAME); it must not exist yet.", valueName: "dir"))
    var dir: String?

    @Option(help: ArgumentHelp(
        """
        Where a Swift plugin gets PeerGrid: a checkout's path or a git URL (default: the checkout this grid was \
        built from).
        """,
        valueName: "path-or-url"))
    var peergrid: String?

    func validate() throws {
        guard PluginNames.isPluginName(name) else {
            throw ValidationError(
                "the plugin name '\(name)' is not 1 to 64 of a-z, 0-9, '-' or '_' starting with a letter or digit "
                    + "(for example echo or my-plugin)")
        }
        if lang == .swift && name == "grid" {
            throw ValidationError(
                "a Swift plugin cannot be named grid: SwiftPM needs target names unique across packages, and PeerGrid "
                    + "has a target named grid")
        }
        if lang == .c && peergrid != nil {
            throw ValidationError("--peergrid is for Swift plugins; a C plugin needs only the header it gets a copy of")
        }
    }

    func run() async throws {
        let currentDirectory = FileManager.default.currentDirectoryPath
        let template = try makeTemplate(currentDirectory: currentDirectory)
        let folder = URL(fileURLWithPath: dir ?? name, relativeTo: URL(fileURLWithPath: currentDirectory + "/"))
            .standardizedFileURL.path
        guard !FileManager.default.fileExists(atPath: folder) else {
            throw CLIError("\(folder) already exists; grid plugin new never overwrites, so pick another --dir")
        }
        do {
            for file in template.files {
                let path = folder + "/" + file.path
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(file.contents.utf8).write(to: URL(fileURLWithPath: path), options: .withoutOverwriting)
            }
        } catch {
            try? FileManager.default.removeItem(atPath: folder)
            throw CLIError("could not write the plugin to \(folder): \(error.localizedDescription)")
        }
        let shown = dir ?? name
        say("Wrote the \(template.language == .c ? "C" : "Swift") plugin \(name) to \(folder):")
        for file in template.files where !file.path.hasPrefix(".") {
            say("  \(file.path)")
        }
        say("Next:")
        say("  cd \(shown)")
        say("  \(template.buildCommand)")
        say("  grid plugin inspect \(template.library)")
        say("  grid plugin test \(template.library) --capability \(template.capability) --text hello")
    }

    private func makeTemplate(currentDirectory: String) throws -> PluginTemplate {
        switch lang {
        case .c:
            return .c(name: name)
        case .swift:
            let location: PeerGridLocation
            if let peergrid {
                location = try PeerGridLocation(parsing: peergrid, currentDirectory: currentDirectory)
            } else if let builtFrom = PeerGridLocation.builtFrom() {
                location = builtFrom
            } else {
                throw CLIError(
                    "this grid was not built from a PeerGrid checkout, so pass --peergrid with a checkout's path or "
                        + "a git URL")
            }
            return .swift(name: name, peerGrid: location, version: Grid.configuration.version)
        }
    }
}
