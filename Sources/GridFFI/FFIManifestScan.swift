import Foundation
import GridCore

/// The FFI manifests found in a plugin folder: every `*.json` file carrying the manifest marker, checked.
///
/// Other JSON files are listed as ignored, not as failures, so a folder can hold notes or job specs beside plugins.
public struct FFIManifestScan: Sendable {
    /// One manifest that checked, with the file it came from.
    public struct Found: Sendable, Hashable {
        public let path: String
        public let manifest: FFIManifest
    }

    /// The manifests that checked, in file-name order.
    public var manifests: [Found] = []
    /// The manifests that did not (each names its file, and the field at fault).
    public var failures: [FFIManifestError] = []
    /// `*.json` files without the marker.
    public var ignored: [String] = []

    public init() {}

    /// Scans `directory` (not recursively). A folder that cannot be listed is reported as the only failure.
    public static func scan(directory: String) -> FFIManifestScan {
        var result = FFIManifestScan()
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            result.failures.append(.unreadable(directory, reason: "the folder cannot be listed"))
            return result
        }
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        for name in names.filter({ $0.hasSuffix(".json") }).sorted() {
            let path = base + name
            let bytes: [UInt8]
            do {
                bytes = try FileBytes.read(path, limit: FFIManifest.maximumFileSize)
            } catch {
                result.failures.append(.unreadable(path, reason: error.reason))
                continue
            }
            guard FFIManifest.isManifest(bytes) else {
                result.ignored.append(path)
                continue
            }
            do {
                let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
                result.manifests.append(Found(path: path, manifest: try FFIManifest(parsing: bytes, file: path,
                                                                                   folder: folder)))
            } catch {
                result.failures.append(error)
            }
        }
        return result
    }
}
