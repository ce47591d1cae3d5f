import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

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

    /// Runs Swift concurrency's tasks on SwiftNIO's event loop threads, so a task that sends or receives on a
    /// connection does not wake another thread to do it (docs/PERFORMANCE.md), unless `GRID_EXECUTOR=swift` asks for
    /// Swift's own pool; then parses the command line and runs the command.
    static func main() async {
        if ProcessInfo.processInfo.environment["GRID_EXECUTOR"] != "swift" {
            NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        await main(nil)
    }
}
