import ArgumentParser
import Foundation
import GridClient
import GridCore

struct Peers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List connected workers and their capabilities.")

    @OptionGroup var query: QueryOptions

    func run() async throws {
        let peers = try await query.withSession { try await $0.peers() }
        if query.json {
            say(JobPresentation.json(peers))
            return
        }
        var table = Table("PEER", "SLOTS", "RUNNING", "CORES", "MEMORY", "LABELS", "DONE", "FAILED", "TIMED OUT",
                          "CRASHED", "DISAGREED", "CAPABILITIES")
        for info in peers {
            let attributes = info.ad.attributes
            let labels = attributes.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            let capabilities = info.ad.capabilities.map {
                "\($0.name)@\($0.version)" + ($0.deterministic ? "" : "[nondeterministic]")
            }.joined(separator: " ")
            let standing = info.standing ?? WorkerStanding()
            table.add(info.peer.short, "\(info.ad.slots)", "\(info.running)", "\(attributes.cores)",
                      "\(attributes.memoryGB) GB", labels.isEmpty ? "-" : labels, "\(standing.done)",
                      "\(standing.failed)", "\(standing.timedOut)", "\(standing.crashed)", "\(standing.disagreed)",
                      capabilities)
        }
        say(table.render())
        for info in peers {
            for entry in info.ad.quarantined ?? [] {
                say("\(info.peer.short) quarantined \(entry.plugin) (\(entry.capabilities.joined(separator: ", "))): "
                    + entry.reason)
            }
        }
    }
}
