import Foundation
import GridCore

/// The plugin authors a worker operator trusts, read from a file with one peer id per line; `#` starts a comment
/// (a whole line or after the id) and blank lines are ignored.
///
/// A worker that requires trusted authors loads a plugin file only when `PATH.sig` is a valid signature of the
/// file's current bytes by one of them; every other file is refused with its reason.
public struct TrustedAuthors: Sendable, Hashable {
    /// The trusted peer ids.
    public let authors: Set<PeerID>
    /// Where the list came from, named in refusals.
    public let source: String

    public init(_ authors: Set<PeerID>, source: String) {
        self.authors = authors
        self.source = source
    }

    /// Parses the file's text; a line that is neither blank, a comment nor a peer id is an error naming its number.
    public init(parsing text: String, source: String) throws(TrustedAuthorsError) {
        var authors: Set<PeerID> = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.prefix { $0 != "#" }.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty else { continue }
            guard let author = PeerID(hex: line.lowercased()) else {
                throw .badLine(source, number: index + 1, text: String(rawLine).trimmingCharacters(in: .whitespaces))
            }
            authors.insert(author)
        }
        self.init(authors, source: source)
    }

    /// Reads the list at `path`.
    public static func load(from path: String) throws(TrustedAuthorsError) -> TrustedAuthors {
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.read(path, limit: 1 << 20)
        } catch {
            throw .unreadable(path, reason: error.reason)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .unreadable(path, reason: "it is not UTF-8 text")
        }
        return try TrustedAuthors(parsing: text, source: path)
    }

    /// True when `author` is trusted.
    public func contains(_ author: PeerID) -> Bool { authors.contains(author) }

    /// The trusted author of the plugin file at `path`, or why the file must not be loaded (unsigned, malformed or
    /// invalid signature, changed since signing, or an author not in this list).
    public func authorize(pluginAt path: String) throws(PluginSignatureError) -> PeerID {
        try check(try PluginSignature.verifyFile(at: path), path: path)
    }

    /// The same decision from bytes already read: the file's and its signature file's (nil when there is none).
    public func authorize(
        fileBytes: [UInt8],
        signatureBytes: [UInt8]?,
        path: String
    ) throws(PluginSignatureError) -> PeerID {
        let signaturePath = PluginSignature.signaturePath(for: path)
        guard let signatureBytes else { throw .missingSignature(path, signaturePath: signaturePath) }
        let signature = try PluginSignature(parsing: signatureBytes, path: path, signaturePath: signaturePath)
        return try check(try signature.verify(fileBytes: fileBytes, path: path), path: path)
    }

    private func check(_ author: PeerID, path: String) throws(PluginSignatureError) -> PeerID {
        guard contains(author) else { throw .untrusted(path, author: author, list: source) }
        return author
    }
}
