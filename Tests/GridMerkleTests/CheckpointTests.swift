import Foundation
import GridCore
import GridCrypto
import Testing
@testable import GridMerkle

@Suite("Signed checkpoints")
struct CheckpointTests {
    static let origin = "peergrid.test/ledger"

    static func checkpoint(size: Int = 8, timestamp: UInt64 = 1_700_000_000_000) throws -> Checkpoint {
        var tree = MerkleTree(store: InMemoryNodeStore())
        try tree.append(contentsOf: (0..<size).map(testEntry))
        return try Checkpoint(origin: origin, size: UInt64(size), root: tree.root, timestamp: timestamp)
    }

    @Test("The text form is the documented body plus one signature line")
    func textForm() throws {
        let identity = Identity.generate()
        let root = RFC6962Vectors.hash(RFC6962Vectors.roots[8])
        let checkpoint = try Checkpoint(origin: Self.origin, size: 8, root: root, timestamp: 1_700_000_000_123)
        let expectedBody = "peergrid.test/ledger\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n1700000000123\n"
        #expect(checkpoint.body == expectedBody)
        let signed = checkpoint.sign(with: identity)
        let expectedSignature = Data(signed.signature).base64EncodedString()
        #expect(signed.serialized == checkpoint.body + "\n\u{2014} \(identity.peerID.hex) \(expectedSignature)\n")
    }

    @Test("A signed checkpoint survives its text form and verifies with only the signer's public key")
    func roundTrip() throws {
        let identity = Identity.generate()
        let signed = try Self.checkpoint().sign(with: identity)
        let parsed = try SignedCheckpoint(parsing: signed.serialized)
        #expect(parsed == signed)
        #expect(try SignedCheckpoint(parsing: Array(signed.serialized.utf8)) == signed)
        try parsed.verify(publicKey: identity.keyPair.publicKey)
    }

    @Test("A checkpoint whose text was altered after signing is rejected for its signature")
    func alteredText() throws {
        let identity = Identity.generate()
        let text = try Self.checkpoint(size: 8).sign(with: identity).serialized
        let altered = [
            text.replacingOccurrences(of: "\n8\n", with: "\n9\n"),
            text.replacingOccurrences(of: "1700000000000", with: "1700000000001"),
            text.replacingOccurrences(of: "peergrid.test", with: "peergrid.evil"),
        ]
        for text in altered {
            let parsed = try SignedCheckpoint(parsing: text)
            let error = #expect(throws: CheckpointError.self) {
                try parsed.verify(publicKey: identity.keyPair.publicKey)
            }
            #expect(error?.description
                == "The checkpoint signature is not valid: the checkpoint was altered or signed with another key.")
        }
    }

    @Test("A checkpoint from another signer is rejected naming both peers")
    func wrongSigner() throws {
        let signer = Identity.generate()
        let other = Identity.generate()
        let signed = try Self.checkpoint().sign(with: signer)
        let error = #expect(throws: CheckpointError.self) { try signed.verify(publicKey: other.keyPair.publicKey) }
        #expect(error?.description == "The checkpoint is signed by peer \(signer.peerID.short), "
            + "not by the expected peer \(other.peerID.short).")
        // Claiming to be the trusted signer does not help without its key.
        let forged = SignedCheckpoint(checkpoint: signed.checkpoint, signer: other.peerID, signature: signed.signature)
        #expect(throws: CheckpointError.badSignature) { try forged.verify(publicKey: other.keyPair.publicKey) }
    }

    @Test("Malformed checkpoint texts are rejected with the reason")
    func malformed() throws {
        let identity = Identity.generate()
        let good = try Self.checkpoint().sign(with: identity).serialized
        let lines = good.components(separatedBy: "\n")
        func with(_ index: Int, _ value: String) -> String {
            var copy = lines
            copy[index] = value
            return copy.joined(separator: "\n")
        }
        let shape = "The checkpoint cannot be read: it must be 4 body lines, a blank line and one signature line, "
            + "each ending in a newline."
        let control = "The checkpoint origin is not valid: it contains a newline or another control character."
        let size = "The checkpoint cannot be read: the tree size is not a decimal number without leading zeros."
        let time = "The checkpoint cannot be read: the timestamp is not a decimal number without leading zeros."
        let cases: [(String, String)] = [
            ("", shape),
            (String(good.dropLast()), shape),
            (good + "\n", shape),
            (with(4, "x"), shape),
            (with(0, ""), "The checkpoint origin is not valid: it is empty."),
            (with(0, " padded"), "The checkpoint origin is not valid: it starts or ends with a space."),
            (with(0, "tab\there"), control),
            (with(1, "08"), size),
            (with(1, "-8"), size),
            (with(1, "18446744073709551616"), size),
            (with(2, "AAAA"), "The checkpoint cannot be read: the root hash is not 32 bytes in canonical base64."),
            (with(3, "1.5"), time),
            (with(5, "- " + identity.peerID.hex + " AAAA"),
             "The checkpoint cannot be read: the signature line does not start with an em dash and a space."),
            (with(5, "\u{2014} " + identity.peerID.hex),
             "The checkpoint cannot be read: the signature line must hold a signer id and a signature."),
            (with(5, "\u{2014} abc " + Data(count: 64).base64EncodedString()),
             "The checkpoint cannot be read: the signer is not a peer id of 64 lowercase hex digits."),
            (with(5, "\u{2014} " + identity.peerID.hex.uppercased() + " " + Data(count: 64).base64EncodedString()),
             "The checkpoint cannot be read: the signer is not a peer id of 64 lowercase hex digits."),
            (with(5, "\u{2014} " + identity.peerID.hex + " " + Data(count: 63).base64EncodedString()),
             "The checkpoint cannot be read: the signature is not 64 bytes in canonical base64."),
            (String(repeating: "x", count: 2000), "The checkpoint cannot be read: it is longer than 1024 bytes."),
        ]
        for (text, message) in cases {
            let error = #expect(throws: CheckpointError.self) { try SignedCheckpoint(parsing: text) }
            #expect(error?.description == message, "for \(text.debugDescription)")
        }
        let error = #expect(throws: CheckpointError.self) { try SignedCheckpoint(parsing: [0xff, 0xfe]) }
        #expect(error?.description == "The checkpoint cannot be read: it is not valid UTF-8.")
    }

    @Test("Origins that would break the format are refused when building a checkpoint")
    func badOrigins() {
        for origin in ["", "a\nb", String(repeating: "o", count: 257), "trailing "] {
            #expect(throws: CheckpointError.self) {
                try Checkpoint(origin: origin, size: 0, root: TreeHasher.emptyRoot, timestamp: 0)
            }
        }
    }
}
