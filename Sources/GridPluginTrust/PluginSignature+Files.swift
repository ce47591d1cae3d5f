import Foundation
import GridCore
import GridCrypto

extension PluginSignature {
    /// Where the signature of the plugin at `path` is kept: `path` + ".sig".
    public static func signaturePath(for path: String) -> String { path + fileSuffix }

    /// Signs the file at `path` with `identity` and writes `PATH.sig`, replacing an older one.
    @discardableResult
    public static func signFile(at path: String, identity: Identity) throws(PluginSignatureError) -> PluginSignature {
        let signature = sign(fileBytes: try readFile(path, for: path), identity: identity)
        let signaturePath = signaturePath(for: path)
        do {
            try Data(signature.text.utf8).write(to: URL(fileURLWithPath: signaturePath), options: .atomic)
        } catch {
            throw .unreadable(path, file: signaturePath, reason: "it cannot be written (\(error))")
        }
        return signature
    }

    /// The author of the plugin at `path`, when `PATH.sig` holds a valid signature of its current bytes.
    public static func verifyFile(at path: String) throws(PluginSignatureError) -> PeerID {
        let fileBytes = try readFile(path, for: path)
        let signaturePath = signaturePath(for: path)
        guard FileManager.default.fileExists(atPath: signaturePath) else {
            throw .missingSignature(path, signaturePath: signaturePath)
        }
        let signature = try PluginSignature(
            parsing: try readFile(signaturePath, for: path), path: path, signaturePath: signaturePath)
        return try signature.verify(fileBytes: fileBytes, path: path)
    }

    /// Who signed the plugin at `path`, for a worker that does not require trusted authors: the author of a valid
    /// signature, `unsigned` when there is no signature file, or the reason a signature present is not valid.
    public static func authorship(ofFileAt path: String) -> PluginAuthorship {
        do {
            return .signed(try verifyFile(at: path))
        } catch where error.kind == .missingSignature {
            return .unsigned
        } catch {
            return .invalid(error)
        }
    }

    /// The bytes of `file` (the plugin at `path` or its signature file), at most 1 GiB.
    static func readFile(_ file: String, for path: String) throws(PluginSignatureError) -> [UInt8] {
        do {
            return try FileBytes.read(file, limit: 1 << 30)
        } catch {
            throw .unreadable(path, file: file, reason: error.reason)
        }
    }
}
