import ArgumentParser

@main
struct Grid: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grid",
        abstract: "PeerGrid: share compute between peers, matched by capability, paid in ledger credits.",
        discussion: """
            Every command keeps its identity and files in --home (default $GRID_HOME, else ~/.grid).
            Start with 'grid demo' to see a whole grid run on this machine.
            """,
        version: "0.1.0",
        subcommands: [
            Demo.self, Matchmaker.self, Worker.self, Submit.self, Status.self, Explain.self, Result.self, Cancel.self,
            Jobs.self, Peers.self,
            LedgerCommand.self, PluginCommand.self, Keygen.self, ID.self,
        ]
    )
}
