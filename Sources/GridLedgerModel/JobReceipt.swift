import Foundation
import GridCore
import GridCrypto
import GridMerkle

/// Proof of everything the ledger says about one job, checkable offline: its escrow, the result of each run, its
/// payments and its refund, each with an inclusion proof against one signed checkpoint.
///
/// What `grid ledger prove JOB` prints (version 2); `grid ledger check-proof` reads it, and with `--output FILE`
/// also checks that the file is the output the ledger accepted (docs/ledger.md, "Receipts").
public struct JobReceipt: Sendable, Hashable {
    public static let version = 2

    public let job: String
    /// One single-entry receipt per entry of the job, all against the same checkpoint, in seq order.
    public let entries: [LedgerReceipt]

    public init(job: String, entries: [LedgerReceipt]) {
        self.job = job
        self.entries = entries
    }

    /// Checks every entry's receipt (signatures, origin, inclusion) and that they all name the job, share one
    /// checkpoint, and include a result; returns the proven entries in seq order.
    public func verify(trustedOperator: PeerID? = nil) throws -> [LedgerEntry] {
        guard let first = entries.first else { throw ReceiptError.badReceipt("it proves no entry") }
        var proven: [LedgerEntry] = []
        for receipt in entries {
            guard receipt.checkpoint == first.checkpoint else {
                throw ReceiptError.badReceipt("its entries are proven against different checkpoints")
            }
            let entry = try receipt.verify(trustedOperator: trustedOperator)
            guard entry.body.job == job else {
                throw ReceiptError.badReceipt("entry \(entry.seq) is about job \(entry.body.job ?? "none"), not \(job)")
            }
            if let last = proven.last, last.seq >= entry.seq {
                throw ReceiptError.badReceipt("its entries are not in ledger order")
            }
            proven.append(entry)
        }
        guard proven.contains(where: { $0.body.kind == .result }) else {
            throw ReceiptError.badReceipt("it holds no result entry for job \(job)")
        }
        return proven
    }

    /// The accepted output digests among `entries` (one per agreeing run; all equal).
    public static func acceptedDigests(in entries: [LedgerEntry]) -> [[UInt8]] {
        entries.compactMap { entry in
            guard let result = entry.body.result, result.verdict == .accepted else { return nil }
            return result.outputDigest
        }
    }

    private struct JSONForm: Codable {
        var version: Int
        var job: String
        var checkpoint: String
        var entries: [Part]
    }

    private struct Part: Codable {
        var seq: Int64
        var leaf: String
        var proof: [String]
    }

    /// The receipt as one JSON object.
    public var json: String {
        LedgerReceipt.json(JSONForm(
            version: Self.version, job: job, checkpoint: entries.first?.checkpoint.serialized ?? "",
            entries: entries.map {
                Part(seq: $0.seq, leaf: Data($0.leaf).base64EncodedString(), proof: $0.proof.hashes.map(\.hex))
            }))
    }

    /// Reads the JSON form; every malformed part is named.
    public init(json data: Data) throws {
        let form: JSONForm
        do {
            form = try JSONDecoder().decode(JSONForm.self, from: data)
        } catch {
            throw ReceiptError.badReceipt("it is not a job receipt JSON object (version, job, checkpoint, entries)")
        }
        guard form.version == Self.version else {
            throw ReceiptError.badReceipt("version \(form.version) is not a job receipt (version \(Self.version))")
        }
        let checkpoint = try LedgerReceipt.checkpoint(parsing: form.checkpoint)
        guard form.entries.count <= 4096 else {
            throw ReceiptError.badReceipt("it holds \(form.entries.count) entries; a job has far fewer")
        }
        let parts = try form.entries.map { part in
            try LedgerReceipt.parts(checkpoint: checkpoint, seq: part.seq, leaf: part.leaf, proof: part.proof)
        }
        self.init(job: form.job, entries: parts)
    }

    /// The version a receipt's JSON says it is, or nil when it says none.
    public static func version(ofJSON data: Data) -> Int? {
        struct Probe: Decodable { var version: Int }
        return try? JSONDecoder().decode(Probe.self, from: data).version
    }
}
