import ArgumentParser

/// TEMPORARY: the `grid plugin` group, holding only `sign` and `verify` until the real group (PluginCommand.swift,
/// on another branch) is merged. On merge, delete this file, drop `PluginSigningGroup.self` from Grid.swift and add
/// `PluginSign.self, PluginVerify.self` to the real group's subcommands.
struct PluginSigningGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin",
        abstract: "Sign plugins and check their signatures.",
        subcommands: [PluginSign.self, PluginVerify.self]
    )
}
