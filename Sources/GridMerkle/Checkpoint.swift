import Foundation
import GridCrypto

/// A log's state at one moment: its origin name, size, root hash and a timestamp; what the sequencer signs.
///
/// The signed bytes are the text body
/// `"<origin>\n<size>\n<base64 root>\n<timestamp ms>\n"` (see docs/merkle.md).
public struct Checkpoint: Hashable, Sendable {
    /// Longest origin accepted, in UTF-8 bytes.
    public static let maximumOriginLength = 256

    /// Name of the log, e.g. "peergrid.example/ledger"; identifies which log the checkpoint is about.
    public let origin: String
    /// Number of leaves in the tree.
    public let size: UInt64
    /// Root hash of the tree of `size` leaves.
    public let root: MerkleHash
    /// When the checkpoint was made, in milliseconds since the Unix epoch.
    public let timestamp: UInt64

    /// Builds a checkpoint; throws when `origin` is empty, too long, or holds control characters.
    public init(origin: String, size: UInt64, root: MerkleHash, timestamp: UInt64) throws {
        try Self.validate(origin: origin)
        self.origin = origin
        self.size = size
        self.root = root
        self.timestamp = timestamp
    }

    /// The text that is signed: four lines, each ending in a newline.
    public var body: String {
        "\(origin)\n\(size)\n\(root.base64)\n\(timestamp)\n"
    }

    /// Signs this checkpoint with `identity`'s Ed25519 key.
    public func sign(with identity: Identity) -> SignedCheckpoint {
        SignedCheckpoint(checkpoint: self, signer: identity.peerID, signature: identity.sign(Array(body.utf8)))
    }

    static func validate(origin: String) throws {
        guard !origin.isEmpty else { throw CheckpointError.badOrigin("it is empty") }
        guard origin.utf8.count <= maximumOriginLength else {
            throw CheckpointError.badOrigin("it is longer than \(maximumOriginLength) bytes")
        }
        let hasControl = origin.unicodeScalars.contains { $0.value < 0x20 || (0x7f..<0xa0).contains($0.value) }
        guard !hasControl else {
            throw CheckpointError.badOrigin("it contains a newline or another control character")
        }
        guard origin.first != " ", origin.last != " " else {
            throw CheckpointError.badOrigin("it starts or ends with a space")
        }
    }
}
