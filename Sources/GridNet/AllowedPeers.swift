import GridCore

/// The identities a listener admits, parsed from the text of an allow file (`grid matchmaker --allow-peers`).
///
/// One peer id (64 hex digits) per line; `#` starts a comment running to the end of the line; blank lines are
/// skipped. Every bad line is reported with its number, and a file naming nobody is refused, since it would lock
/// every peer out.
public struct AllowedPeers: Sendable, Equatable {
    public let peers: Set<PeerID>

    /// Parses `text`; `source` names it in errors (the file's path).
    public init(parsing text: String, source: String) throws(AllowedPeersError) {
        var peers: Set<PeerID> = []
        var problems: [AllowedPeersError.Problem] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let entry = String(content.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
            guard !entry.isEmpty else { continue }
            if let peer = PeerID(hex: entry.lowercased()) {
                peers.insert(peer)
            } else {
                problems.append(.init(line: index + 1, text: entry))
            }
        }
        guard problems.isEmpty else { throw AllowedPeersError(source: source, problems: problems) }
        guard !peers.isEmpty else { throw AllowedPeersError(source: source, problems: []) }
        self.peers = peers
    }
}
