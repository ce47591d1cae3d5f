import ArgumentParser
import Foundation
import GridCore
import GridCrypto
import GridLedger
import GridMerkle

struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Read and verify a credit ledger file (the matchmaker's in --home, else the replica there).",
        subcommands: [Balances.self, Show.self, Verify.self, CheckpointCommand.self, Prove.self, CheckProof.self,
                      Grant.self, Transfer.self, Sync.self])

    /// Which ledger file to open.
    struct FileOptions: ParsableArguments {
        @OptionGroup var home: HomeOptions

        @Option(help: ArgumentHelp("Ledger file (default: --home/matchmaker.sqlite).", valueName: "path"))
        var file: String?

        @Flag(help: "Print JSON.")
        var json = false

        /// `--file`, else the matchmaker's file in `--home`, else the replica there.
        var path: String {
            if let file { return file }
            let matchmaker = home.directory + "/matchmaker.sqlite"
            let replica = home.directory + "/" + LedgerReplica.fileName
            if !FileManager.default.fileExists(atPath: matchmaker), FileManager.default.fileExists(atPath: replica) {
                return replica
            }
            return matchmaker
        }

        func open() throws -> LedgerStore {
            let path = self.path
            guard FileManager.default.fileExists(atPath: path) else {
                throw CLIError("there is no ledger at \(path) (run a matchmaker with this --home, sync a replica with "
                    + "`grid ledger sync`, or pass --file)")
            }
            do {
                return try LedgerStore(existingAt: path)
            } catch {
                throw CLIError("cannot open the ledger \(path): \(error)")
            }
        }
    }

    struct Balances: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Balances derived from the ledger's entries.")
        @OptionGroup var options: FileOptions

        func run() async throws {
            let balances = try await options.open().balances().filter { $0.key != .mint }.sorted { $0.key < $1.key }
            if options.json {
                var object: [String: Int64] = [:]
                for (account, amount) in balances { object[account.description] = amount }
                say(JobPresentation.json(object))
                return
            }
            var table = Table("ACCOUNT", "BALANCE")
            for (account, amount) in balances { table.add(account.description, "\(amount)") }
            say(table.render())
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List ledger entries in order.")
        @OptionGroup var options: FileOptions

        @Option(help: "Show entries after this sequence number.")
        var after: Int64 = 0

        @Option(help: "Show at most this many entries.")
        var limit = 1000

        @Option(help: ArgumentHelp("Show only this job's entries: its escrow, the result of each run, payments and "
                                   + "refund.", valueName: "job"))
        var job: String?

        func run() async throws {
            let store = try options.open()
            let entries: [LedgerEntry]
            if let job {
                entries = try await store.database.read { try Ledger.entries(forJob: job, in: $0) }
                guard !entries.isEmpty else { throw CLIError("the ledger has no entry for job \(job)") }
            } else {
                entries = try await store.entries(after: after, limit: max(1, min(limit, 100_000)))
            }
            if options.json {
                say(JobPresentation.json(entries.map(EntryPresentation.init)))
                return
            }
            if job != nil {
                say(LedgerJobPresentation.render(entries))
                return
            }
            var table = Table("SEQ", "KIND", "FROM", "TO", "AMOUNT", "JOB", "AUTHOR", "HASH")
            for entry in entries {
                let body = entry.body
                table.add("\(entry.seq)", body.kindName, Self.short(body.from), Self.short(body.to),
                          "\(body.amount)", body.job ?? "-", body.author.short, String(Hex.encode(entry.hash).prefix(12)))
            }
            say(table.render())
        }

        static func short(_ account: Account) -> String {
            if let peer = account.peer { return "peer:" + peer.short }
            return account.description
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every signature, hash link and credit rule; exit 1 naming the first bad entry.")
        @OptionGroup var options: FileOptions

        @Option(help: ArgumentHelp("Fail unless the ledger is operated (signed) by this peer id.", valueName: "peer-id"))
        var `operator`: String?

        @Option(name: .customLong("checkpoint"),
                help: ArgumentHelp("A signed checkpoint of this ledger got from anywhere (another peer, a receipt); "
                                   + "one the operator signed that disagrees with this ledger is reported as "
                                   + "equivocation. Repeatable.", valueName: "file"))
        var checkpoints: [String] = []

        func run() async throws {
            let store = try options.open()
            if let text = `operator` {
                guard let expected = PeerID(hex: text) else {
                    throw ValidationError("--operator must be a peer id of 64 hex digits")
                }
                guard store.operatorID == expected else {
                    throw CLIError("the ledger is operated by peer \(store.operatorID.short), not by \(expected.short)")
                }
            }
            var verification = try await store.verify()
            if verification.isValid, !checkpoints.isEmpty {
                verification = try await compare(store, verification)
            }
            if options.json {
                say(JobPresentation.json(["valid": verification.isValid ? "true" : "false",
                                          "entries": "\(verification.verifiedCount)",
                                          "problem": verification.failure?.description ?? ""]))
            } else {
                say(verification.description)
            }
            if !verification.isValid { throw ExitCode(1) }
        }

        /// The verification with the first equivocation among `--checkpoint` files as its failure, if any.
        private func compare(_ store: LedgerStore, _ verification: LedgerVerification) async throws
            -> LedgerVerification {
            for file in checkpoints {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw CLIError("--checkpoint: cannot read \(file)")
                }
                let signed: SignedCheckpoint
                do {
                    signed = try SignedCheckpoint(parsing: String(decoding: data, as: UTF8.self))
                } catch {
                    throw CLIError("--checkpoint \(file): \(error)")
                }
                let operatorID = store.operatorID
                if let problem = try await store.database.read({
                    try Ledger.equivocation(of: signed, operator: operatorID, in: $0)
                }) {
                    return verification.failing(problem)
                }
            }
            return verification
        }
    }
}

extension LedgerCommand {
    struct CheckpointCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "checkpoint", abstract: "Print the latest signed checkpoint of the ledger's Merkle tree.")
        @OptionGroup var options: FileOptions

        func run() async throws {
            let store = try options.open()
            let found = try await store.database.read { db -> (SignedCheckpoint, [LedgerCosignature])? in
                guard let signed = try Ledger.latestCheckpoint(in: db) else { return nil }
                return (signed, try Ledger.cosignatures(size: signed.checkpoint.size, in: db))
            }
            guard let (signed, cosignatures) = found else {
                throw CLIError("the ledger has no signed checkpoint yet")
            }
            if options.json {
                let c = signed.checkpoint
                say(JobPresentation.json(CheckpointPresentation(
                    origin: c.origin, size: c.size, root: c.root.hex, timestamp: c.timestamp, signer: signed.signer.hex,
                    text: signed.serialized, cosigners: cosignatures.map(\.witness.hex))))
            } else {
                FileHandle.standardOutput.write(Data(signed.serialized.utf8))
                say(cosignatures.isEmpty ? "cosigned by no witness yet"
                    : "cosigned by \(cosignatures.count) witnesses:\n"
                        + cosignatures.map(\.witness.hex).joined(separator: "\n"))
            }
        }
    }

    struct Prove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a receipt: inclusion proofs of a job's entries (escrow, results, payments, refund) "
                + "against the latest checkpoint.")
        @OptionGroup var options: FileOptions
        @Argument(help: "The job id.") var job: String

        @Option(help: ArgumentHelp("Fetch the receipt from this matchmaker (as the job's submitter or worker) "
                                   + "instead of reading a ledger file.", valueName: "host:port"))
        var matchmaker: String?

        @Option(name: .customLong("matchmaker-id"),
                help: ArgumentHelp("With --matchmaker: only talk to a matchmaker with this peer id.",
                                   valueName: "peer-id"))
        var matchmakerID: String?

        func run() async throws {
            if let matchmaker {
                let id = try parseJobID(job)
                let session = try RemoteLedger(home: options.home, address: matchmaker, expected: matchmakerID)
                let answer = try await session.request(.ledgerReceipt(id))
                guard case .receipt(let json) = answer else {
                    throw CLIError("the matchmaker did not answer with a receipt")
                }
                say(String(decoding: json, as: UTF8.self))
                return
            }
            let store = try options.open()
            let job = self.job
            do {
                let receipt = try await store.database.read { try Ledger.jobReceipt(forJob: job, in: $0) }
                say(receipt.json)
            } catch {
                throw CLIError("\(error)")
            }
        }
    }

    struct CheckProof: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-proof",
            abstract: "Verify a receipt from `grid ledger prove` offline; exit 1 if it proves nothing.")
        @Argument(help: ArgumentHelp("The receipt file ('-' for standard input).", valueName: "file"))
        var file: String

        @Option(help: ArgumentHelp("Trust only checkpoints signed by this peer id.", valueName: "peer-id"))
        var `operator`: String?

        @Option(help: ArgumentHelp("Check that this file is the output the ledger accepted for the job.",
                                   valueName: "file"))
        var output: String?

        func run() async throws {
            let trusted: PeerID?
            if let text = `operator` {
                guard let peer = PeerID(hex: text) else {
                    throw ValidationError("--operator must be a peer id of 64 hex digits")
                }
                trusted = peer
            } else {
                trusted = nil
            }
            let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: file)
            guard let data else { throw CLIError("cannot read \(file)") }
            do {
                if JobReceipt.version(ofJSON: data) == JobReceipt.version {
                    try checkJobReceipt(try JobReceipt(json: data), trusted: trusted)
                    return
                }
                guard output == nil else {
                    throw CLIError("--output needs a job receipt (version \(JobReceipt.version)) from `grid ledger prove`")
                }
                let receipt = try LedgerReceipt(json: data)
                let entry = try receipt.verify(trustedOperator: trusted)
                say("valid: entry \(entry.seq) (\(Self.describe(entry.body))) is in ledger "
                    + "\(receipt.checkpoint.checkpoint.origin) at size \(receipt.checkpoint.checkpoint.size), "
                    + "signed by \(receipt.checkpoint.signer.short)"
                    + (trusted == nil ? " (pass --operator to pin who you trust)" : ""))
            } catch let error as CLIError {
                throw error
            } catch {
                throw CLIError("\(error)")
            }
        }

        private func checkJobReceipt(_ receipt: JobReceipt, trusted: PeerID?) throws {
            let entries = try receipt.verify(trustedOperator: trusted)
            let checkpoint = receipt.entries[0].checkpoint
            say("valid: \(entries.count) entries for job \(receipt.job) are in ledger \(checkpoint.checkpoint.origin) "
                + "at size \(checkpoint.checkpoint.size), signed by \(checkpoint.signer.short)"
                + (trusted == nil ? " (pass --operator to pin who you trust)" : ""))
            for entry in entries {
                say("  \(entry.seq): \(Self.describe(entry.body))")
            }
            guard let output else { return }
            guard let bytes = FileManager.default.contents(atPath: output) else {
                throw CLIError("cannot read --output \(output)")
            }
            let digest = Digest.sha256(Array(bytes))
            let accepted = JobReceipt.acceptedDigests(in: entries)
            guard !accepted.isEmpty else {
                throw CLIError("the ledger accepted no output for job \(receipt.job): it failed")
            }
            guard accepted.contains(digest) else {
                throw CLIError("\(output) is not the output the ledger accepted for job \(receipt.job): its sha256 is "
                               + "\(Hex.encode(digest)), the ledger's is \(Hex.encode(accepted[0]))")
            }
            say("\(output) is the accepted output (sha256 \(Hex.encode(digest)))")
        }

        static func describe(_ body: EntryBody) -> String {
            if let result = body.result {
                let worker = body.to.peer.map { " on worker \($0.short)" } ?? ""
                let what = result.outputDigest.map { "output sha256 \(Hex.encode($0))" }
                    ?? "failed: \(result.failure ?? "")"
                return "result, \(result.verdict)\(worker): \(what)"
            }
            return "\(body.kind.rawValue) of \(body.amount) credits from \(body.from) to \(body.to)"
                + (body.job.map { " for job \($0)" } ?? "")
        }
    }
}

/// A checkpoint as `ledger checkpoint --json` prints it.
struct CheckpointPresentation: Encodable {
    var origin: String
    var size: UInt64
    var root: String
    var timestamp: UInt64
    var signer: String
    var text: String
    /// The peer ids of the witnesses that cosigned it (stored cosignatures are checked when stored).
    var cosigners: [String]
}

/// A ledger entry as `ledger show --json` prints it.
struct EntryPresentation: Encodable {
    var seq: Int64
    var kind: String
    var from: String
    var to: String
    var amount: Int64
    var job: String?
    var author: String
    var timestamp: Int64
    var memo: String?
    var hash: String
    var prevHash: String
    var result: ResultPresentation?

    init(_ entry: LedgerEntry) {
        seq = entry.seq
        kind = entry.body.kindName
        from = entry.body.from.description
        to = entry.body.to.description
        amount = entry.body.amount
        job = entry.body.job
        author = entry.body.author.hex
        timestamp = entry.body.timestamp
        memo = entry.body.memo
        hash = Hex.encode(entry.hash)
        prevHash = Hex.encode(entry.prevHash)
        result = entry.body.result.map(ResultPresentation.init)
    }
}
