import FuzzSupport
import GridCore
import GridCrypto
import GridLedger

/// Fuzzes the ledger's decoders: a canonical entry body, a serialized signed entry and an entry's leaf bytes (the
/// first input byte chooses). The encodings are canonical, so whatever decodes must encode to exactly its input.
enum LedgerEntryHarness {
    static func run(_ input: inout FuzzInput) {
        let mode = input.byte() % 3
        let bytes = input.rest()
        switch mode {
        case 0:
            guard let body = try? EntryBody(canonicalBytes: bytes) else { return }
            fuzzCheck(body.canonicalBytes == bytes, "an entry body decoded from bytes it does not encode to")
        case 1:
            guard let signed = try? SignedEntry(serializedBytes: bytes) else { return }
            fuzzCheck(signed.serializedBytes == bytes, "a signed entry decoded from bytes it does not encode to")
            _ = signed.isSignatureValid
        default:
            guard let entry = try? LedgerEntry(leafBytes: bytes) else { return }
            fuzzCheck(entry.leafBytes == bytes, "a ledger entry decoded from bytes it does not encode to")
            fuzzCheck(entry.hash == entry.computedHash, "a decoded entry's hash is not its computed hash")
        }
    }

    static func seeds() -> [String: [UInt8]] {
        let identity = Identity.generate()
        let other = Identity.generate().peerID
        let bodies: [(String, EntryBody?)] = [
            ("grant", try? EntryBody(kind: .grant, from: .mint, to: .peer(other), amount: 100, author: identity.peerID,
                                     timestamp: 1_700_000_000_000, memo: "welcome")),
            ("escrow", try? EntryBody(kind: .escrow, from: .peer(identity.peerID), to: .escrow(job: "job-1"),
                                      amount: 5, job: "job-1", author: identity.peerID, timestamp: 1)),
            ("payment", try? EntryBody(kind: .payment, from: .escrow(job: "j"), to: .peer(other), amount: 3, job: "j",
                                       author: identity.peerID, timestamp: -1, memo: "é🚀")),
            ("refund", try? EntryBody(kind: .refund, from: .escrow(job: "j"), to: .peer(identity.peerID),
                                      amount: Int64.max, job: "j", author: identity.peerID, timestamp: Int64.max)),
        ]
        var seeds: [String: [UInt8]] = [:]
        var prevHash = LedgerEntry.genesisHash
        for (index, (name, body)) in bodies.enumerated() {
            guard let body, let signed = try? body.signed(by: identity) else { continue }
            let entry = LedgerEntry(seq: Int64(index + 1), signed: signed, prevHash: prevHash)
            prevHash = entry.hash
            seeds["body-\(name)"] = [0] + body.canonicalBytes
            seeds["signed-\(name)"] = [1] + signed.serializedBytes
            seeds["leaf-\(name)"] = [2] + entry.leafBytes
        }
        // The same bodies under one batch signature: signature fields that carry a proof (docs/ledger.md).
        let batch = (try? BatchSignature.sign(bodies.compactMap(\.1), by: identity)) ?? []
        for (index, signed) in batch.enumerated() {
            let entry = LedgerEntry(seq: Int64(index + 1), signed: signed, prevHash: LedgerEntry.genesisHash)
            seeds["signed-batch-\(index)"] = [1] + signed.serializedBytes
            seeds["leaf-batch-\(index)"] = [2] + entry.leafBytes
        }
        return seeds
    }
}
