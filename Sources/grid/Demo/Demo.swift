import ArgumentParser
import Foundation
import GridClient
import GridCore
import GridLedger

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a whole grid on this machine: a matchmaker, three workers, every job in Jobs/.")

    @Option(help: ArgumentHelp("Folder of job specs to submit.", valueName: "dir"))
    var jobs = "Jobs"

    @Option(help: ArgumentHelp("Folder of built plugins (default: next to this grid binary).", valueName: "dir"))
    var plugins: String?

    @Flag(help: "Keep the temporary GRID_HOME folders (with logs) instead of deleting them.")
    var keep = false

    func run() async throws {
        let specs = try DemoGrid.specFiles(in: jobs)
        let grid = try DemoGrid(pluginDirectory: plugins ?? DemoGrid.executableDirectory())
        var failure: (any Error)?
        do {
            try await show(grid, specs: specs)
        } catch {
            failure = error
        }
        await grid.stop()
        if keep || failure != nil {
            say("GRID_HOME folders and logs kept in \(grid.root)")
        } else {
            grid.removeFolders()
        }
        if let failure { throw failure }
    }

    private func show(_ grid: DemoGrid, specs: [String]) async throws {
        try await grid.start()
        say("PeerGrid demo: a matchmaker (\(grid.matchmakerID.short)) on 127.0.0.1:\(grid.port), "
            + "\(grid.workers.count) workers, \(specs.count) jobs\n")
        var workers = Table("WORKER", "PEER", "CAPABILITIES")
        for worker in grid.workers {
            workers.add(worker.name, worker.peer.short, worker.capabilities.joined(separator: " "))
        }
        say(workers.render() + "\n")

        let results = try await grid.submitAll(specs)
        var jobs = Table("JOB", "SPEC", "CAPABILITY", "WORKER", "STATUS", "CREDITS", "RESULT")
        for (spec, record) in results {
            jobs.add(record.id.rawValue, spec, record.capability, record.worker.map { grid.name(of: $0) } ?? "-",
                     record.status.rawValue, "\(record.credits)", JobPresentation.excerpt(record, width: 44))
        }
        say(jobs.render() + "\n")

        let unrunnable = try await grid.unrunnableJob()
        say("Why isn't it running? job \(unrunnable.id) (image.thumbnail) waits: \(unrunnable.why)")
        say("  cancelled: \(unrunnable.cancelled.maxCredits) escrowed credits refunded\n")

        let ledger = try LedgerStore(existingAt: grid.ledgerPath)
        var balances = Table("ACCOUNT", "BALANCE")
        for (account, amount) in try await ledger.balances() where account != .mint && amount != 0 {
            balances.add(grid.name(of: account), "\(amount)")
        }
        balances.rows.sort { $0[0] < $1[0] }
        say(balances.render() + "\n")
        let verification = try await ledger.verify()
        say("ledger verify: \(verification.description)")
        if let (spec, paid) = results.first(where: { $0.1.status == .succeeded && $0.1.credits > 0 }) {
            say(try await receiptLine(for: paid.id, spec: spec, ledger: ledger, grid: grid))
        }

        let failed = results.filter { $0.1.status != .succeeded }.count
        guard failed == 0, verification.isValid else {
            throw CLIError("the demo ended with \(failed) failed jobs\(verification.isValid ? "" : " and a ledger that does not verify")")
        }
    }

    /// Waits (up to 5 s) for a checkpoint covering the job's entries, then proves its result and payment offline.
    private func receiptLine(for job: JobID, spec: String, ledger: LedgerStore, grid: DemoGrid) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(5)
        while true {
            do {
                let receipt = try await ledger.database.read { try Ledger.jobReceipt(forJob: job.rawValue, in: $0) }
                let entries = try receipt.verify(trustedOperator: grid.matchmakerID)
                let digest = JobReceipt.acceptedDigests(in: entries).first.map { String(Hex.encode($0).prefix(16)) }
                let size = receipt.entries[0].checkpoint.checkpoint.size
                return "receipt: the \(entries.count) entries of \(spec) (escrow, result with output sha256 "
                    + "\(digest ?? "none")…, payment, refund) are in the matchmaker's signed Merkle tree of \(size) "
                    + "entries; the receipt checks out offline (grid ledger prove / check-proof)"
            } catch {
                guard ContinuousClock.now < deadline else { return "receipt: \(error)" }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }
}
