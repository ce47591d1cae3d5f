import ArgumentParser

/// `grid plugin …`: tools for plugin authors, each subcommand in its own file.
struct PluginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin",
        abstract: "Write, inspect, try, sign and verify capability plugins on this machine, without a grid.",
        discussion: "From an empty folder to a job served by a worker: docs/writing-plugins.md.",
        subcommands: [PluginNew.self, PluginInspect.self, PluginTest.self, PluginSign.self, PluginVerify.self])
}
