import GridCore

/// A worker's rule for which plugin files it loads, and the author each one advertises.
///
/// With a trusted-authors list, a file loads only when its signature is valid for its current bytes and made by a
/// listed author; every other file is refused with its reason. Without a list every file loads, advertised with
/// the author its valid signature proves, or "unsigned" (with a warning when a signature is present but invalid).
public struct PluginTrustPolicy: Sendable {
    /// What to do with one plugin file.
    public enum Decision: Sendable, Hashable {
        /// Load it, advertising `author` (a peer id in hex, or "unsigned"); `warning` says why a signature present
        /// was not accepted.
        case load(author: String, warning: PluginSignatureError?)
        /// Do not load it, for this reason.
        case refuse(PluginSignatureError)
    }

    /// The trusted authors, or nil when the worker loads every plugin.
    public let trusted: TrustedAuthors?

    public init(trusted: TrustedAuthors?) {
        self.trusted = trusted
    }

    /// The decision for the plugin at `path` whose bytes are `fileBytes`, with `signatureBytes` the contents of
    /// `PATH.sig` (nil when there is none). Decide on the same bytes that are then loaded.
    public func decide(fileBytes: [UInt8], signatureBytes: [UInt8]?, path: String) -> Decision {
        if let trusted {
            do {
                let author = try trusted.authorize(fileBytes: fileBytes, signatureBytes: signatureBytes, path: path)
                return .load(author: author.hex, warning: nil)
            } catch {
                return .refuse(error)
            }
        }
        guard let signatureBytes else { return .load(author: CapabilityOffer.unsignedAuthor, warning: nil) }
        do {
            let signaturePath = PluginSignature.signaturePath(for: path)
            let signature = try PluginSignature(parsing: signatureBytes, path: path, signaturePath: signaturePath)
            return .load(author: try signature.verify(fileBytes: fileBytes, path: path).hex, warning: nil)
        } catch {
            return .load(author: CapabilityOffer.unsignedAuthor, warning: error)
        }
    }
}
