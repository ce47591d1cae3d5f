import Foundation
import GridCore
import GridCrypto
import GridMerkle

/// Proof that one ledger entry is in a ledger, checkable offline with nothing but the receipt (and, to pin trust,
/// the operator's peer id): the entry's leaf bytes, a signed checkpoint, and the inclusion proof between them.
///
/// The JSON form is what `grid ledger prove` prints and `grid ledger check-proof` reads (see docs/ledger.md).
public struct LedgerReceipt: Sendable, Hashable {
    public static let version = 1

    public let checkpoint: SignedCheckpoint
    public let seq: Int64
    /// The entry's leaf bytes: previous hash, seq, canonical body and signature field (signature, and batch proof).
    public let leaf: [UInt8]
    public let proof: InclusionProof

    public init(checkpoint: SignedCheckpoint, seq: Int64, leaf: [UInt8], proof: InclusionProof) {
        self.checkpoint = checkpoint
        self.seq = seq
        self.leaf = leaf
        self.proof = proof
    }

    /// Checks everything and returns the proven entry:
    /// the checkpoint's signature (by `trustedOperator` when given, else by the signer it names), its origin,
    /// the entry's own signature and seq, and the inclusion proof against the checkpoint's root.
    public func verify(trustedOperator: PeerID? = nil) throws -> LedgerEntry {
        guard seq >= 1 else { throw ReceiptError.badReceipt("its seq must be 1 or more") }
        let signer = checkpoint.signer
        if let trustedOperator, trustedOperator != signer {
            throw ReceiptError.untrustedSigner(expected: trustedOperator, got: signer)
        }
        try checkpoint.verify(publicKey: signer.publicKey)
        guard checkpoint.checkpoint.origin == LedgerLog.origin(of: signer) else {
            throw ReceiptError.badReceipt("the checkpoint's origin is not the ledger of its signer")
        }
        let entry = try LedgerEntry(leafBytes: leaf)
        guard entry.seq == seq, proof.leafIndex == UInt64(seq - 1) else {
            throw ReceiptError.badReceipt("the entry's seq does not match the proof's leaf index")
        }
        guard proof.treeSize == checkpoint.checkpoint.size else {
            throw ReceiptError.badReceipt("the proof is for a tree of \(proof.treeSize) entries, the checkpoint for "
                + "\(checkpoint.checkpoint.size)")
        }
        guard entry.signed.isSignatureValid else {
            throw ReceiptError.badReceipt("the entry's signature is not valid for its author")
        }
        do {
            try proof.verify(leafHash: TreeHasher.leafHash(leaf), root: checkpoint.checkpoint.root)
        } catch {
            throw ReceiptError.badReceipt("the inclusion proof does not lead to the checkpoint's root: \(error)")
        }
        return entry
    }

    private struct JSONForm: Codable {
        var version: Int
        var checkpoint: String
        var seq: Int64
        var leaf: String
        var proof: [String]
    }

    /// The receipt as one JSON object.
    public var json: String {
        Self.json(JSONForm(version: Self.version, checkpoint: checkpoint.serialized, seq: seq,
                           leaf: Data(leaf).base64EncodedString(), proof: proof.hashes.map(\.hex)))
    }

    /// A receipt's JSON form as `grid ledger prove` prints it: pretty, keys sorted; shared with job receipts.
    static func json(_ form: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(form), as: UTF8.self)) ?? "{}"
    }

    /// Reads the JSON form; every malformed part is named.
    public init(json data: Data) throws {
        let form: JSONForm
        do {
            form = try JSONDecoder().decode(JSONForm.self, from: data)
        } catch {
            throw ReceiptError.badReceipt("it is not a receipt JSON object (version, checkpoint, seq, leaf, proof)")
        }
        guard form.version == Self.version else {
            throw ReceiptError.badReceipt("version \(form.version) is not supported (this peer reads \(Self.version))")
        }
        self = try Self.parts(checkpoint: try Self.checkpoint(parsing: form.checkpoint), seq: form.seq,
                              leaf: form.leaf, proof: form.proof)
    }

    /// A receipt's signed checkpoint from its JSON text, or the reason it is malformed.
    static func checkpoint(parsing text: String) throws -> SignedCheckpoint {
        do {
            return try SignedCheckpoint(parsing: text)
        } catch {
            throw ReceiptError.badReceipt("its checkpoint is malformed: \(error)")
        }
    }

    /// A receipt for one entry from its JSON parts (seq, base64 leaf, hex proof hashes), naming the first bad part;
    /// shared by single-entry and job receipts.
    static func parts(checkpoint: SignedCheckpoint, seq: Int64, leaf: String, proof: [String]) throws -> LedgerReceipt {
        guard seq >= 1 else { throw ReceiptError.badReceipt("an entry's seq must be 1 or more") }
        guard let leafBytes = Data(base64Encoded: leaf) else {
            throw ReceiptError.badReceipt("the leaf of entry \(seq) is not base64")
        }
        var hashes: [MerkleHash] = []
        for text in proof {
            guard let hash = MerkleHash(hex: text) else {
                throw ReceiptError.badReceipt("proof hash '\(text.prefix(80))' is not 64 hex digits")
            }
            hashes.append(hash)
        }
        return LedgerReceipt(checkpoint: checkpoint, seq: seq, leaf: Array(leafBytes),
                             proof: InclusionProof(leafIndex: UInt64(seq - 1), treeSize: checkpoint.checkpoint.size,
                                                   hashes: hashes))
    }
}
