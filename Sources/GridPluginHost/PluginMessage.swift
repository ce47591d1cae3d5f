/// A plugin's error buffer made into text fit for logs and job records.
enum PluginMessage {
    /// The most bytes of UTF-8 a message keeps, ellipsis included.
    static let maximumBytes = 4096

    /// `bytes` as text: invalid UTF-8 repaired (U+FFFD), whitespace trimmed, then cut at a character boundary so
    /// that the UTF-8 form, with "…" when cut, is at most `maximumBytes` long.
    static func text(_ bytes: [UInt8]) -> String {
        // Looking at more than 4 × the limit cannot change the result: every byte becomes at most 3.
        let repaired = String(decoding: bytes.prefix(maximumBytes * 4), as: UTF8.self)
        let trimmed = Substring(repaired).drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace)
        let text = String(String(trimmed.reversed()))
        guard text.utf8.count > maximumBytes || bytes.count > maximumBytes * 4 else { return text }
        let ellipsis = "…"
        var kept = ""
        var used = 0
        for character in text {
            let size = character.utf8.count
            guard used + size + ellipsis.utf8.count <= maximumBytes else { break }
            kept.append(character)
            used += size
        }
        return kept + ellipsis
    }
}
