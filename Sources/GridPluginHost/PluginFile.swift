import GridFFI

/// One file a worker loads from its plugin folder: a plugin library (`*.so`) or an FFI manifest (`*.json` with the
/// manifest marker, docs/ffi-manifests.md).
public enum PluginFile: Sendable, Hashable {
    case library(String)
    case manifest(String)

    /// The file's path.
    public var path: String {
        switch self {
        case .library(let path), .manifest(let path): return path
        }
    }

    /// The plugin files in `directory`, sorted by path, and the manifests that did not check (with their reasons).
    /// JSON files without the manifest marker are not plugins and are left out. Throws when the folder cannot be
    /// listed.
    public static func scan(_ directory: String) throws(PluginLoadFailure) -> (files: [PluginFile],
                                                                              failures: [PluginLoadFailure]) {
        let libraries = try PluginLoader.pluginFiles(in: directory).map(PluginFile.library)
        let scan = FFIManifestScan.scan(directory: directory)
        let manifests = scan.manifests.map { PluginFile.manifest($0.path) }
        let failures = scan.failures.map { PluginLoadFailure.invalidManifest($0.path ?? directory, reason: $0.reason) }
        return ((libraries + manifests).sorted { $0.path < $1.path }, failures)
    }

    /// `path` as a plugin file: a manifest when it ends in `.json`, else a library.
    public static func at(_ path: String) -> PluginFile {
        path.hasSuffix(".json") ? .manifest(path) : .library(path)
    }
}
