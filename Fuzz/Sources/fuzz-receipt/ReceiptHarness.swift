import Foundation
import FuzzSupport
import GridCore
import GridCrypto
import GridLedger
import GridMerkle

/// Fuzzes the receipt parser (`LedgerReceipt(json:)`, what `grid ledger check-proof` reads) and the signed
/// checkpoint text inside it, then verifies whatever parses. A receipt that verifies must name the entry its leaf
/// bytes hold.
enum ReceiptHarness {
    static func run(_ input: inout FuzzInput) {
        let mode = input.byte() % 2
        let bytes = input.rest()
        if mode == 1 {
            _ = try? SignedCheckpoint(parsing: String(decoding: bytes, as: UTF8.self))
            return
        }
        guard let receipt = try? LedgerReceipt(json: Data(bytes)) else { return }
        _ = receipt.json
        guard let entry = try? receipt.verify() else { return }
        fuzzCheck(entry.leafBytes == receipt.leaf, "a verified receipt proves an entry other than its leaf")
        fuzzCheck(entry.seq == receipt.seq, "a verified receipt proves an entry at another seq")
    }

    /// A valid receipt for a ledger of one entry, and one for the second entry of two.
    static func seeds() -> [String: [UInt8]] {
        let operatorIdentity = Identity.generate()
        let origin = Ledger.origin(of: operatorIdentity.peerID)
        var leaves: [[UInt8]] = []
        var prevHash = LedgerEntry.genesisHash
        for seq in 1...2 {
            guard let body = try? EntryBody(kind: .grant, from: .mint, to: .peer(Identity.generate().peerID),
                                            amount: 100, author: operatorIdentity.peerID, timestamp: Int64(seq)),
                  let signed = try? body.signed(by: operatorIdentity) else { return [:] }
            let entry = LedgerEntry(seq: Int64(seq), signed: signed, prevHash: prevHash)
            prevHash = entry.hash
            leaves.append(entry.leafBytes)
        }
        let first = TreeHasher.leafHash(leaves[0])
        let second = TreeHasher.leafHash(leaves[1])
        guard let one = try? Checkpoint(origin: origin, size: 1, root: first, timestamp: 1_700_000_000),
              let two = try? Checkpoint(origin: origin, size: 2, root: TreeHasher.nodeHash(first, second),
                                        timestamp: 1_700_000_001) else { return [:] }
        let single = LedgerReceipt(checkpoint: one.sign(with: operatorIdentity), seq: 1, leaf: leaves[0],
                                   proof: InclusionProof(leafIndex: 0, treeSize: 1, hashes: []))
        let pair = LedgerReceipt(checkpoint: two.sign(with: operatorIdentity), seq: 2, leaf: leaves[1],
                                 proof: InclusionProof(leafIndex: 1, treeSize: 2, hashes: [first]))
        return [
            "receipt-single": [0] + utf8(single.json),
            "receipt-pair": [0] + utf8(pair.json),
            "receipt-bad-version": [0] + utf8(#"{"version": 2, "checkpoint": "", "seq": 1, "leaf": "", "proof": []}"#),
            "checkpoint": [1] + utf8(pair.checkpoint.serialized),
        ]
    }
}
