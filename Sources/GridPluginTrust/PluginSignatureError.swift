import GridCore

/// Why a plugin file's signature was not accepted: missing, malformed, for other bytes (the file was changed),
/// not made by the key it names, or made by an author the operator does not trust.
public struct PluginSignatureError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The broad class of a failure.
    public enum Kind: Sendable, Hashable {
        /// There is no `PATH.sig` next to the file.
        case missingSignature
        /// The file or its signature file cannot be read.
        case unreadable
        /// The signature file is not in the documented format.
        case malformedSignature
        /// The file's SHA-256 is not the one signed: the file changed after signing.
        case tamperedFile
        /// The signature does not verify under the author key it names.
        case badSignature
        /// The signature is valid but its author is not in the trusted-authors list.
        case untrustedAuthor
    }

    private enum Code: Sendable, Hashable {
        case missingSignature(signaturePath: String)
        case unreadable(path: String, reason: String)
        case malformed(signaturePath: String, reason: String)
        case tampered(signed: String, actual: String)
        case badSignature(author: PeerID)
        case untrusted(author: PeerID, list: String)
    }

    /// The plugin file (or manifest) concerned.
    public let path: String
    private let code: Code

    private init(path: String, code: Code) {
        self.path = path
        self.code = code
    }

    static func missingSignature(_ path: String, signaturePath: String) -> Self {
        Self(path: path, code: .missingSignature(signaturePath: signaturePath))
    }
    static func unreadable(_ path: String, file: String, reason: String) -> Self {
        Self(path: path, code: .unreadable(path: file, reason: reason))
    }
    static func malformed(_ path: String, signaturePath: String, _ reason: String) -> Self {
        Self(path: path, code: .malformed(signaturePath: signaturePath, reason: reason))
    }
    static func tampered(_ path: String, signed: String, actual: String) -> Self {
        Self(path: path, code: .tampered(signed: signed, actual: actual))
    }
    static func badSignature(_ path: String, author: PeerID) -> Self {
        Self(path: path, code: .badSignature(author: author))
    }
    static func untrusted(_ path: String, author: PeerID, list: String) -> Self {
        Self(path: path, code: .untrusted(author: author, list: list))
    }

    /// The class of failure.
    public var kind: Kind {
        switch code {
        case .missingSignature: return .missingSignature
        case .unreadable: return .unreadable
        case .malformed: return .malformedSignature
        case .tampered: return .tamperedFile
        case .badSignature: return .badSignature
        case .untrusted: return .untrustedAuthor
        }
    }

    /// Why the plugin is refused, as a clause without the plugin's path.
    public var reason: String {
        switch code {
        case .missingSignature(let signaturePath):
            return "it is unsigned (there is no signature file \(signaturePath))"
        case .unreadable(let file, let reason):
            return "\(file) cannot be read: \(reason)"
        case .malformed(let signaturePath, let reason):
            return "its signature file \(signaturePath) is malformed: \(reason)"
        case .tampered(let signed, let actual):
            return "it was changed after it was signed (its SHA-256 is \(actual), the signature covers \(signed))"
        case .badSignature(let author):
            return "its signature is not a valid signature by \(author), the author it names"
        case .untrusted(let author, let list):
            return "it is signed by \(author), who is not a trusted author in \(list)"
        }
    }

    public var description: String { "The plugin \(path) was refused: \(reason)." }
}
