import ArgumentParser
import Foundation
import GridCrypto

struct Keygen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create this peer's Ed25519 identity in --home/identity (mode 0600).")

    @OptionGroup var options: HomeOptions

    @Flag(help: "Replace an existing identity (its credits stay with the old peer id).")
    var force = false

    func run() async throws {
        let path = options.identityPath
        if FileManager.default.fileExists(atPath: path) && !force {
            let existing = try options.identity()
            say("identity exists: \(existing.peerID)  (\(path); --force replaces it)")
            return
        }
        let identity = Identity.generate()
        do {
            try identity.save(to: path)
        } catch {
            throw CLIError("could not write \(path): \(error)")
        }
        say(identity.peerID.hex)
    }
}

struct ID: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "id", abstract: "Print this peer's id (its public key), creating an identity if there is none.")

    @OptionGroup var options: HomeOptions

    func run() async throws {
        say(try options.identity().peerID.hex)
    }
}
