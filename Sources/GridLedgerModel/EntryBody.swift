import GridCore
import GridCrypto

/// What one ledger entry says: who moves how many credits where, for which job, written by whom and when.
///
/// The initializer checks every field on its own (amount above zero, well-formed job ids, a 32-byte author key,
/// short memo); whether the accounts fit the kind, who may author it and whether the credits are there is
/// decided by `CreditRules` and `BalanceSheet` when the entry is appended.
public struct EntryBody: Hashable, Sendable {
    /// The version byte that starts the canonical encoding.
    public static let encodingVersion: UInt8 = 1
    /// The longest memo accepted, in UTF-8 bytes.
    public static let maximumMemoLength = 1024

    public let kind: EntryKind
    public let from: Account
    public let to: Account
    /// Credits moved; above zero, except in a `result` entry, which moves none and says 0.
    public let amount: Int64
    /// The job this entry belongs to; required for escrow, payment and refund, absent for grants.
    public let job: String?
    /// The peer whose signature makes this entry valid.
    public let author: PeerID
    /// When the author wrote the entry, in milliseconds since 1970 (UTC).
    public let timestamp: Int64
    /// Free text for people; never interpreted and never logged.
    public let memo: String?
    /// What a run produced; present exactly in `result` entries.
    public let result: ResultRecord?

    /// Creates a body after checking each field, throwing a `LedgerError` naming the first bad one.
    public init(
        kind: EntryKind, from: Account, to: Account, amount: Int64, job: String? = nil, author: PeerID,
        timestamp: Int64, memo: String? = nil, result: ResultRecord? = nil
    ) throws(LedgerError) {
        if kind.movesCredits {
            guard amount > 0 else {
                throw .invalidField("amount", reason: "it must be above zero, got \(amount)")
            }
            if result != nil {
                throw .invalidField("result", reason: "only a result entry carries one, not \(kind.withArticle)")
            }
        } else {
            guard amount == 0 else {
                throw .invalidField("amount", reason: "a result entry moves no credits, so it must be 0, got \(amount)")
            }
            guard result != nil else {
                throw .invalidField("result", reason: "a result entry must carry what the run produced")
            }
        }
        if let job, let problem = Account.problem(withJobID: job) {
            throw .invalidField("job", reason: problem)
        }
        guard author.publicKey.count == SigningKeyPair.publicKeyLength else {
            throw .invalidField("author", reason: Self.badKey(author))
        }
        for (name, account) in [("from", from), ("to", to)] {
            switch account {
            case .mint:
                break
            case .peer(let peer):
                guard peer.publicKey.count == SigningKeyPair.publicKeyLength else {
                    throw .invalidField(name, reason: Self.badKey(peer))
                }
            case .escrow(let job):
                if let problem = Account.problem(withJobID: job) {
                    throw .invalidField(name, reason: problem)
                }
            }
        }
        if let memo, memo.utf8.count > EntryBody.maximumMemoLength {
            throw .invalidField(
                "memo", reason: "it must be at most \(EntryBody.maximumMemoLength) bytes, got \(memo.utf8.count)")
        }
        // SQLite stores text up to its first NUL when given it as a C string, as GRDB does: the stored entry would not
        // be the signed one.
        if let memo, memo.utf8.contains(0) {
            throw .invalidField("memo", reason: "it must not contain the NUL character")
        }
        self.kind = kind
        self.from = from
        self.to = to
        self.amount = amount
        self.job = job
        self.author = author
        self.timestamp = timestamp
        self.memo = memo
        self.result = result
    }

    private static func badKey(_ peer: PeerID) -> String {
        "a peer id must be a 32-byte key, got \(peer.publicKey.count) bytes"
    }

    /// Signs the canonical encoding with `identity`, which must be the author's.
    public func signed(by identity: Identity) throws(LedgerError) -> SignedEntry {
        guard identity.peerID == author else {
            throw .wrongSigner(author: author, signer: identity.peerID)
        }
        return SignedEntry(body: self, signature: identity.sign(canonicalBytes), batchProof: nil, knownValid: true)
    }
}

extension EntryBody {
    /// The deterministic bytes that are signed and hashed (format in docs/ledger.md, "Canonical encoding").
    public var canonicalBytes: [UInt8] {
        var writer = ByteWriter(capacity: 128 + (memo?.utf8.count ?? 0))
        writer.u8(EntryBody.encodingVersion)
        writer.u8(kind.code)
        Self.write(from, to: &writer)
        Self.write(to, to: &writer)
        writer.i64(amount)
        Self.write(optional: job, to: &writer)
        writer.raw(author.publicKey)
        writer.i64(timestamp)
        Self.write(optional: memo, to: &writer)
        // Kind 5 only: the result section (the layout of kinds 1 to 4 is unchanged).
        result?.write(to: &writer)
        return writer.bytes
    }

    /// Decodes a canonical encoding, rejecting unknown versions, unknown tags and trailing bytes.
    public init(canonicalBytes bytes: [UInt8]) throws(LedgerError) {
        var reader = ByteReader(bytes)
        let version = try reader.u8("version byte")
        guard version == EntryBody.encodingVersion else {
            throw .unsupportedVersion(version)
        }
        let code = try reader.u8("kind byte")
        guard let kind = EntryKind(code: code) else {
            throw .malformedEncoding(
                "the kind byte \(code) is not 1 (grant), 2 (escrow), 3 (payment), 4 (refund) or 5 (result)")
        }
        let from = try Self.readAccount("from account", from: &reader)
        let to = try Self.readAccount("to account", from: &reader)
        let amount = try reader.i64("amount")
        let job = try Self.readOptional("job", from: &reader)
        let author = PeerID(publicKey: try reader.raw(SigningKeyPair.publicKeyLength, "author key"))
        let timestamp = try reader.i64("timestamp")
        let memo = try Self.readOptional("memo", from: &reader)
        let result = kind == .result ? try ResultRecord.read(from: &reader) : nil
        try reader.expectEnd("entry body")
        try self.init(
            kind: kind, from: from, to: to, amount: amount, job: job, author: author, timestamp: timestamp, memo: memo,
            result: result)
    }

    private static func write(_ account: Account, to writer: inout ByteWriter) {
        switch account {
        case .mint:
            writer.u8(0)
        case .peer(let peer):
            writer.u8(1)
            writer.raw(peer.publicKey)
        case .escrow(let job):
            writer.u8(2)
            writer.string16(job)
        }
    }

    private static func write(optional text: String?, to writer: inout ByteWriter) {
        if let text {
            writer.u8(1)
            writer.string16(text)
        } else {
            writer.u8(0)
        }
    }

    private static func readAccount(_ field: String, from reader: inout ByteReader) throws(LedgerError) -> Account {
        let tag = try reader.u8("tag of the \(field)")
        switch tag {
        case 0:
            return .mint
        case 1:
            return .peer(PeerID(publicKey: try reader.raw(SigningKeyPair.publicKeyLength, "key of the \(field)")))
        case 2:
            return .escrow(job: try reader.string16("job id of the \(field)"))
        default:
            throw .malformedEncoding("the tag of the \(field) is \(tag), not 0 (mint), 1 (peer) or 2 (escrow)")
        }
    }

    private static func readOptional(_ field: String, from reader: inout ByteReader) throws(LedgerError) -> String? {
        let flag = try reader.u8("presence flag of the \(field)")
        switch flag {
        case 0: return nil
        case 1: return try reader.string16(field)
        default: throw .malformedEncoding("the presence flag of the \(field) is \(flag), not 0 or 1")
        }
    }
}
