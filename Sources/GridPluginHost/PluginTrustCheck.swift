import GridCore
import GridCrypto
import GridPluginTrust

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The trust decision for plugin files (`grid worker --trust-authors`), made on the bytes whose SHA-256 is recorded.
public enum PluginTrustCheck {
    /// The author to advertise for the file whose bytes are `fileBytes`, and a warning when a signature present
    /// was not valid; throws when `trust` requires a trusted author and the file has none. `PATH.sig` is read
    /// next to `openPath`.
    static func authorship(path: String, openPath: String, fileBytes: [UInt8], trust: PluginTrustPolicy)
        throws(PluginLoadFailure) -> (author: String, warning: String?) {
        let signaturePath = PluginSignature.signaturePath(for: openPath)
        var signatureBytes: [UInt8]?
        if access(signaturePath, F_OK) == 0 {
            do {
                signatureBytes = try BinaryFile.read(signaturePath)
            } catch {
                let reason = "its signature file \(signaturePath) cannot be read: \(error.reason)"
                if trust.trusted != nil { throw .untrusted(path, reason: reason) }
                return (CapabilityOffer.unsignedAuthor, "The plugin \(path) is advertised as unsigned: \(reason).")
            }
        }
        switch trust.decide(fileBytes: fileBytes, signatureBytes: signatureBytes, path: path) {
        case .load(let author, nil):
            return (author, nil)
        case .load(let author, let warning?):
            return (author, "The plugin \(path) is advertised as unsigned: \(warning.reason).")
        case .refuse(let error):
            throw .untrusted(path, reason: error.reason)
        }
    }

    /// Loads plugin libraries in this process (`grid worker --in-process`) under `trust`: each file is read once,
    /// decided on, loaded, and kept only when the loaded file still has the SHA-256 that was decided on.
    public static func loadInProcess(_ paths: [String], trust: PluginTrustPolicy) -> PluginLoadReport {
        var report = PluginLoadReport()
        var decided: [String: (author: String, sha256: String)] = [:]
        var allowed: [String] = []
        for path in paths {
            do throws(PluginLoadFailure) {
                let openPath = PluginLoader.openPath(path)
                let bytes = try BinaryFile.read(openPath)
                let (author, warning) = try authorship(path: path, openPath: openPath, fileBytes: bytes, trust: trust)
                decided[path] = (author, Hex.encode(Digest.sha256(bytes)))
                allowed.append(path)
                if let warning { report.warnings.append(warning) }
            } catch {
                report.failures.append(error)
            }
        }
        let loaded = PluginLoader.loadFiles(allowed)
        report.failures += loaded.failures
        for plugin in loaded.plugins {
            guard let decision = decided[plugin.path] else { continue }
            guard decision.sha256 == plugin.sha256 else {
                report.failures.append(.changed(plugin.path, decided: decision.sha256, loaded: plugin.sha256))
                continue
            }
            report.plugins.append(plugin.withAuthor(decision.author))
        }
        return report
    }
}
