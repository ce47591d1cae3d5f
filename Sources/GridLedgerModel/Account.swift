import GridCore

/// A place credits live: the mint they are granted from, a peer, or one job's escrow.
///
/// The string form is `mint`, `peer:<64 hex digits>` or `escrow:<job id>`.
public enum Account: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Where grants come from; the only account whose balance may go below zero.
    case mint
    /// A peer's spendable credits.
    case peer(PeerID)
    /// Credits held for one job between its submission and its settlement.
    case escrow(job: String)

    /// The longest job id accepted, in UTF-8 bytes.
    public static let maximumJobIDLength = 256

    /// Parses the string form, throwing a `LedgerError` that says what is wrong with `text`.
    public init(parsing text: String) throws(LedgerError) {
        if text == "mint" {
            self = .mint
        } else if text.hasPrefix("peer:") {
            let hex = String(text.dropFirst("peer:".count))
            guard let peer = PeerID(hex: hex) else {
                throw .invalidAccount(text, reason: "a peer account must be \"peer:\" followed by 64 hex digits")
            }
            self = .peer(peer)
        } else if text.hasPrefix("escrow:") {
            let job = String(text.dropFirst("escrow:".count))
            if let problem = Account.problem(withJobID: job) {
                throw .invalidAccount(text, reason: problem)
            }
            self = .escrow(job: job)
        } else {
            throw .invalidAccount(text, reason: "an account must be \"mint\", \"peer:<64 hex>\" or \"escrow:<job id>\"")
        }
    }

    /// Parses the string form given as UTF-8 bytes, as read from a database column: the same accounts and errors as
    /// `init(parsing:)`, without making a string of a peer account's 64 hex digits first.
    public init(parsingUTF8 text: UnsafeBufferPointer<UInt8>) throws(LedgerError) {
        let peerPrefix = 5  // "peer:"
        if text.count == 64 + peerPrefix, text.starts(with: "peer:".utf8),
           let peer = PeerID(hexUTF8: UnsafeBufferPointer(rebasing: text[peerPrefix...])) {
            self = .peer(peer)
        } else {
            try self.init(parsing: String(decoding: text, as: UTF8.self))
        }
    }

    /// Whether `text` is this account's string form byte for byte (`description`: lowercase hex, the job id's own
    /// bytes), which is how the store writes accounts and looks them up.
    public func isDescription(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        switch self {
        case .mint:
            return text.elementsEqual("mint".utf8)
        case .peer(let peer):
            let prefix = "peer:".utf8
            return text.starts(with: prefix)
                && Hex.isEncoding(of: peer.publicKey, UnsafeBufferPointer(rebasing: text[prefix.count...]))
        case .escrow(let job):
            let prefix = "escrow:".utf8
            return text.starts(with: prefix) && text[prefix.count...].elementsEqual(job.utf8)
        }
    }

    /// The string form: `mint`, `peer:<64 hex>` or `escrow:<job id>`.
    public var description: String {
        switch self {
        case .mint: return "mint"
        case .peer(let peer): return "peer:\(peer.hex)"
        case .escrow(let job): return "escrow:\(job)"
        }
    }

    /// A short form for messages: `mint`, `peer ab12cd34`, `escrow of job J`.
    var shortName: String {
        switch self {
        case .mint: return "the mint"
        case .peer(let peer): return "peer \(peer.short)"
        case .escrow(let job): return "the escrow of job \(job)"
        }
    }

    /// The peer, when this is a peer account.
    public var peer: PeerID? {
        if case .peer(let peer) = self { return peer }
        return nil
    }

    /// The job, when this is an escrow account.
    public var job: String? {
        if case .escrow(let job) = self { return job }
        return nil
    }

    public static func < (lhs: Account, rhs: Account) -> Bool {
        lhs.description < rhs.description
    }

    /// Why `job` is not a valid job id, or nil when it is one.
    ///
    /// A job id is 1 to 256 UTF-8 bytes with no whitespace or control characters.
    static func problem(withJobID job: String) -> String? {
        if job.isEmpty {
            return "a job id must not be empty"
        }
        if job.utf8.count > maximumJobIDLength {
            return "a job id must be at most \(maximumJobIDLength) bytes, got \(job.utf8.count)"
        }
        // Printable ASCII other than space (every id the grid makes) is fine without a look at Unicode properties,
        // which cost more than hashing the entry when a ledger is verified.
        if job.utf8.allSatisfy({ (0x21...0x7e).contains($0) }) {
            return nil
        }
        let isBad: (Unicode.Scalar) -> Bool = {
            $0.properties.isWhitespace || $0.properties.generalCategory == .control
        }
        if job.unicodeScalars.contains(where: isBad) {
            return "a job id must not contain whitespace or control characters"
        }
        return nil
    }
}
