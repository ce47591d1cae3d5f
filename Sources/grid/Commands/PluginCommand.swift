import ArgumentParser

/// `grid plugin …`: tools for plugin authors, each subcommand in its own file.
struct PluginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin",
        abstract: "Write, inspect and try capability plugins on this machine, without a grid.",
        discussion: "From an empty folder to a job served by a worker: docs/writing-plugins.md.",
        subcommands: [PluginNew.self, PluginInspect.self, PluginTest.self])
}
