import GridCore
import GridCrypto

extension PluginSignature {
    /// Parses a signature file: exactly the four documented lines (the last newline may be missing), lowercase hex.
    /// `path` is the plugin file and `signaturePath` the signature file, for errors.
    public init(parsing bytes: [UInt8], path: String, signaturePath: String) throws(PluginSignatureError) {
        func fail(_ reason: String) -> PluginSignatureError {
            .malformed(path, signaturePath: signaturePath, reason)
        }
        guard bytes.count <= 1024, let text = String(validating: bytes, as: UTF8.self) else {
            throw fail("it is not a short UTF-8 text file")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard let first = lines.first, first == Self.versionLine else {
            if let first = lines.first, first.hasPrefix("peergrid-plugin-signature ") {
                throw fail("line 1 is \"\(first.prefix(60))\", a version this host does not read (it reads "
                    + "\"\(Self.versionLine)\")")
            }
            throw fail("line 1 must be \"\(Self.versionLine)\"")
        }
        guard lines.count == 4 else {
            throw fail("it must have 4 lines (version, author, sha256, signature), not \(lines.count)")
        }

        func field(_ line: Int, _ name: String, hexDigits: Int) throws(PluginSignatureError) -> [UInt8] {
            let prefix = name + " "
            let text = lines[line - 1]
            guard text.hasPrefix(prefix) else { throw fail("line \(line) must start with \"\(prefix)\"") }
            let value = String(text.dropFirst(prefix.count))
            guard value.utf8.count == hexDigits,
                value.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }),
                let bytes = Hex.decode(value)
            else {
                throw fail("line \(line) must give the \(name) as \(hexDigits) lowercase hex digits")
            }
            return bytes
        }
        let author = PeerID(publicKey: try field(2, "author", hexDigits: 64))
        let digest = try field(3, "sha256", hexDigits: 64)
        let signature = try field(4, "signature", hexDigits: SigningKeyPair.signatureLength * 2)
        self.init(author: author, fileSHA256: digest, signature: signature)
    }
}
