import Foundation
import GridFFI

/// What `grid plugin sign` and `verify` show about a file: for an FFI manifest, the declarations a signature covers.
enum PluginFileDescription {
    /// The manifest at `path`, nil when the file is not a manifest; a manifest that does not check is an error.
    static func manifest(at path: String) throws -> FFIManifest? {
        guard path.hasSuffix(".json") else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("\(path) cannot be read")
        }
        guard FFIManifest.isManifest(Array(data)) else { return nil }
        do {
            return try FFIManifest.load(from: path)
        } catch {
            throw CLIError(error.description)
        }
    }

    /// One line per capability: name, version, cost and C signature.
    static func printDeclarations(of manifest: FFIManifest) {
        say("manifest \(manifest.name) \(manifest.version) over \(manifest.library):")
        for capability in manifest.capabilities {
            say("  \(capability.name) \(capability.version) (cost \(capability.cost)): \(capability.cSignature)")
        }
    }
}
