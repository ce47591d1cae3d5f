import GridCore

/// Who signed a plugin file, as far as its signature file shows.
public enum PluginAuthorship: Sendable, Hashable {
    /// A valid signature by this author.
    case signed(PeerID)
    /// No signature file.
    case unsigned
    /// A signature file that is malformed, or does not verify for the file's current bytes.
    case invalid(PluginSignatureError)

    /// What a worker advertises as the plugin's author: the peer id in hex, or "unsigned" (also for an invalid
    /// signature, which proves nothing about the author).
    public var advertised: String {
        if case .signed(let author) = self { return author.hex }
        return CapabilityOffer.unsignedAuthor
    }
}
