import Foundation
import GridCore

/// A JSON file that turns functions of an existing shared library into capabilities (see docs/ffi-manifests.md).
///
/// A `*.json` file is a manifest when its top-level object has the marker field `"peergrid-ffi-manifest"`, whose
/// value is the format version; the marker is read first, then the body of that version.
public struct FFIManifest: Sendable, Hashable {
    /// The marker field.
    public static let marker = "peergrid-ffi-manifest"
    /// The format version this host reads.
    public static let currentVersion = 1
    /// The largest manifest file read, 1 MiB.
    public static let maximumFileSize = 1 << 20

    /// Plugin name, unique among a worker's plugins (`zlib`).
    public let name: String
    /// Version of the manifest (the plugin's version).
    public let version: SemanticVersion
    /// The library as the manifest names it: a soname (`libz.so.1`) or a path (relative to the manifest's folder).
    public let library: String
    /// The declared capabilities, in file order.
    public let capabilities: [FFICapability]

    public init(name: String, version: SemanticVersion, library: String, capabilities: [FFICapability]) {
        self.name = name
        self.version = version
        self.library = library
        self.capabilities = capabilities
    }

    /// The capability called `name`, if declared.
    public func capability(named name: String) -> FFICapability? {
        capabilities.first { $0.name == name }
    }

    /// True when `bytes` are meant as a manifest, so a loader can tell manifests from other `*.json` files: a JSON
    /// object carrying the marker field (of any version), or text that is not strict JSON but mentions the marker
    /// (a manifest with a syntax error is reported, not silently skipped).
    public static func isManifest(_ bytes: [UInt8]) -> Bool {
        do {
            guard case .object(let members) = try JSONParser.parse(bytes) else { return false }
            return members[marker] != nil
        } catch {
            let needle = Array("\"\(marker)\"".utf8)
            guard bytes.count >= needle.count else { return false }
            return (0...(bytes.count - needle.count)).contains { bytes[$0..<$0 + needle.count].elementsEqual(needle) }
        }
    }

    /// Reads and checks the manifest at `path`; a relative library path is taken relative to the file's folder.
    public static func load(from path: String) throws(FFIManifestError) -> FFIManifest {
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.read(path, limit: maximumFileSize)
        } catch {
            throw .unreadable(path, reason: error.reason)
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try FFIManifest(parsing: bytes, file: path, folder: folder)
    }

}
