/// A manifest that cannot be used: not JSON, not a manifest, of an unknown version, or with a bad field (named by
/// its path, such as `capabilities[0].parameters[1].type`).
public struct FFIManifestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The broad class of a failure.
    public enum Kind: Sendable, Hashable {
        /// The file cannot be read.
        case unreadable
        /// The text is not strict JSON.
        case notJSON
        /// The JSON has no `"peergrid-ffi-manifest"` marker.
        case notManifest
        /// The marker names a version this host does not read.
        case unsupportedVersion
        /// A field is missing, of the wrong type or breaks a rule.
        case invalidField
    }

    private enum Code: Sendable, Hashable {
        case unreadable(reason: String)
        case notJSON(reason: String)
        case notManifest
        case unsupportedVersion(found: String)
        case invalidField(field: String, reason: String)
    }

    /// The manifest file, when the manifest came from one.
    public let path: String?
    private let code: Code

    private init(path: String?, code: Code) {
        self.path = path
        self.code = code
    }

    static func unreadable(_ path: String, reason: String) -> Self {
        Self(path: path, code: .unreadable(reason: reason))
    }
    static func notJSON(_ path: String?, _ error: JSONSyntaxError) -> Self {
        Self(path: path, code: .notJSON(reason: error.description))
    }
    static func notManifest(_ path: String?) -> Self { Self(path: path, code: .notManifest) }
    static func unsupportedVersion(_ path: String?, found: String) -> Self {
        Self(path: path, code: .unsupportedVersion(found: found))
    }
    static func invalidField(_ path: String?, field: String, _ reason: String) -> Self {
        Self(path: path, code: .invalidField(field: field, reason: reason))
    }

    /// The class of failure.
    public var kind: Kind {
        switch code {
        case .unreadable: return .unreadable
        case .notJSON: return .notJSON
        case .notManifest: return .notManifest
        case .unsupportedVersion: return .unsupportedVersion
        case .invalidField: return .invalidField
        }
    }

    /// The field at fault (`capabilities[0].symbol`), for `invalidField` failures.
    public var field: String? {
        if case .invalidField(let field, _) = code { return field }
        return nil
    }

    /// Why the manifest was refused, as a clause without the path.
    public var reason: String {
        switch code {
        case .unreadable(let reason):
            return "it cannot be read: \(reason)"
        case .notJSON(let reason):
            return "it is not strict JSON (\(reason))"
        case .notManifest:
            return "it has no \"\(FFIManifest.marker)\" field, so it is not an FFI manifest"
        case .unsupportedVersion(let found):
            return "its \"\(FFIManifest.marker)\" version is \(found), but this host reads version "
                + "\(FFIManifest.currentVersion)"
        case .invalidField(let field, let reason):
            return "\(field) \(reason)"
        }
    }

    public var description: String {
        if let path { return "The FFI manifest \(path) is invalid: \(reason)." }
        return "The FFI manifest is invalid: \(reason)."
    }
}
