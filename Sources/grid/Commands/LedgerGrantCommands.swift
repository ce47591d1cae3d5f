import ArgumentParser
import Foundation
import GridCore
import GridCrypto
import GridLedger

extension LedgerCommand {
    /// `grid ledger grant PEER AMOUNT`: new credits from the mint, signed by the operator.
    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Grant credits from the mint to a peer, as the ledger's operator (run with the matchmaker's "
                + "--home).")
        @OptionGroup var options: FileOptions
        @Argument(help: ArgumentHelp("The peer to credit.", valueName: "peer-id")) var peer: String
        @Argument(help: "Credits to grant.") var amount: Int64
        @Option(help: "A note kept with the entry (at most 1024 bytes; never interpreted).") var memo: String?

        func run() async throws {
            let to = try OperatorEntry.peer(peer, "the peer")
            let seq = try await OperatorEntry.append(options: options) { author in
                try EntryBody(kind: .grant, from: .mint, to: .peer(to), amount: amount, author: author,
                              timestamp: UnixTime.nowMillis(), memo: memo)
            }
            say("granted \(amount) credits to peer \(to.short): entry \(seq)")
        }
    }

    /// `grid ledger transfer --from A --to B AMOUNT`: credits moved between peers, signed by the operator.
    struct Transfer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move credits from one peer to another, as the ledger's operator (run with the matchmaker's "
                + "--home).")
        @OptionGroup var options: FileOptions
        @Option(help: ArgumentHelp("The peer the credits come from.", valueName: "peer-id")) var from: String
        @Option(help: ArgumentHelp("The peer the credits go to.", valueName: "peer-id")) var to: String
        @Argument(help: "Credits to move.") var amount: Int64
        @Option(help: "A note kept with the entry (at most 1024 bytes; never interpreted).") var memo: String?

        func run() async throws {
            let source = try OperatorEntry.peer(from, "--from")
            let target = try OperatorEntry.peer(to, "--to")
            let seq = try await OperatorEntry.append(options: options) { author in
                try EntryBody(kind: .grant, from: .peer(source), to: .peer(target), amount: amount, author: author,
                              timestamp: UnixTime.nowMillis(), memo: memo)
            }
            say("moved \(amount) credits from peer \(source.short) to peer \(target.short): entry \(seq)")
        }
    }
}

/// What `grant` and `transfer` share: the operator's identity, the ledger check, one signed append.
enum OperatorEntry {
    static func peer(_ text: String, _ what: String) throws -> PeerID {
        guard let peer = PeerID(hex: text) else {
            throw ValidationError("\(what) must be a peer id of 64 hex digits, got '\(text.prefix(80))'")
        }
        return peer
    }

    /// Checks that this home's identity operates the ledger and that the ledger verifies, then signs and appends
    /// the entry `make` builds; returns its seq.
    static func append(
        options: LedgerCommand.FileOptions, _ make: (PeerID) throws -> EntryBody
    ) async throws -> Int64 {
        let store = try options.open()
        let identity: Identity
        do {
            identity = try Identity.load(from: options.home.identityPath)
        } catch {
            throw CLIError("cannot load the operator's identity: \(error)")
        }
        guard identity.peerID == store.operatorID else {
            throw CLIError("the identity in \(options.home.directory) is peer \(identity.peerID.short), but the ledger "
                + "is operated by peer \(store.operatorID.short); run this with the matchmaker's --home")
        }
        let scope = try await store.database.read { try Ledger.verifiedSize(in: $0) }.map { VerificationScope.since($0) }
        let verification = try await store.verify(scope: scope ?? .full)
        if let failure = verification.failure {
            throw CLIError("the ledger failed its check, so nothing was written: \(failure)")
        }
        do {
            let signed = try make(identity.peerID).signed(by: identity)
            return try await store.append(signed).seq
        } catch let error as LedgerError {
            throw CLIError("\(error)")
        }
    }
}
