import GridCore

/// The one line `grid matchmaker` and `grid worker` print on stdout when they are ready, and its parsing, so that
/// the demo and the tests read exactly what the commands write.
public enum ReadyLine {
    /// `matchmaker <peer id> listening on <host>:<port>`
    public static func matchmaker(peer: PeerID, host: String, port: Int) -> String {
        "matchmaker \(peer.hex) listening on \(host):\(port)"
    }

    /// `worker <peer id> registered with <host>:<port> offering <capability@version> …`
    public static func worker(peer: PeerID, matchmaker: String, capabilities: [String]) -> String {
        "worker \(peer.hex) registered with \(matchmaker) offering \(capabilities.joined(separator: " "))"
    }

    public static func isMatchmaker(_ line: String) -> Bool { parseMatchmaker(line) != nil }
    public static func isWorker(_ line: String) -> Bool { parseWorker(line) != nil }

    /// The matchmaker's peer id and bound port, or nil when `line` is not its ready line.
    public static func parseMatchmaker(_ line: String) -> (peer: PeerID, port: Int)? {
        let words = line.split(separator: " ")
        guard words.count == 5, words[0] == "matchmaker", words[2] == "listening", words[3] == "on",
              let peer = PeerID(hex: String(words[1])),
              let portText = line.split(separator: ":").last, let port = Int(portText) else { return nil }
        return (peer, port)
    }

    /// The worker's peer id and capabilities, or nil when `line` is not its ready line.
    public static func parseWorker(_ line: String) -> (peer: PeerID, capabilities: [String])? {
        let words = line.split(separator: " ")
        guard words.count >= 5, words[0] == "worker", words[2] == "registered",
              let peer = PeerID(hex: String(words[1])) else { return nil }
        let offering = line.components(separatedBy: " offering ").dropFirst().first ?? ""
        return (peer, offering.split(separator: " ").map(String.init))
    }
}
