import Foundation

/// Where a new Swift plugin package finds PeerGrid (and so `GridPluginKit`): a local checkout or a git URL.
struct PeerGridLocation: Equatable {
    private enum Kind: Equatable {
        case path(String)
        case url(String)
    }

    private let kind: Kind

    /// Reads `--peergrid`: text with `://`, or starting with `git@`, is a URL; anything else is a local path,
    /// made absolute against `currentDirectory`, that must hold a `Package.swift`.
    init(parsing text: String, currentDirectory: String) throws {
        guard !text.isEmpty else { throw CLIError("--peergrid must be a path or a URL, not empty") }
        if text.contains("://") || text.hasPrefix("git@") {
            kind = .url(text)
            return
        }
        let absolute = text.hasPrefix("/") ? text : currentDirectory + "/" + text
        let path = URL(fileURLWithPath: absolute).standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: path + "/Package.swift") else {
            throw CLIError("--peergrid \(text) is not a PeerGrid checkout: there is no \(path)/Package.swift")
        }
        kind = .path(path)
    }

    private init(kind: Kind) {
        self.kind = kind
    }

    /// The PeerGrid checkout the running `grid` was built from: the nearest folder above the executable whose
    /// `Package.swift` declares the package PeerGrid (`grid` lives in `.build/<triple>/debug/` of the checkout).
    static func builtFrom(executable: String = "/proc/self/exe") -> PeerGridLocation? {
        var folder = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        while folder.path != "/" {
            let manifest = folder.appendingPathComponent("Package.swift").path
            if let text = try? String(contentsOfFile: manifest, encoding: .utf8), text.contains(#"name: "PeerGrid""#) {
                return PeerGridLocation(kind: .path(folder.path))
            }
            folder.deleteLastPathComponent()
        }
        return nil
    }

    /// The name SwiftPM gives this dependency, which `.product(name:package:)` must use: the last path component
    /// of the path or URL, lowercased, without a `.git` suffix.
    var identity: String {
        let text: String
        switch kind {
        case .path(let path): text = path
        case .url(let url): text = url
        }
        var last = text.split(whereSeparator: { $0 == "/" || $0 == ":" }).last.map(String.init) ?? text
        if last.hasSuffix(".git") { last.removeLast(4) }
        return last.lowercased()
    }

    /// The `.package(…)` line of the plugin's manifest; a URL is followed from `version` on.
    func dependency(version: String) -> String {
        switch kind {
        case .path(let path): return ".package(path: \(Self.literal(path)))"
        case .url(let url): return ".package(url: \(Self.literal(url)), from: \(Self.literal(version)))"
        }
    }

    /// `text` as a Swift string literal.
    private static func literal(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
