/// Why one plugin file (or the plugin directory) was not loaded: the path and a reason, with the OS's own words.
public struct PluginLoadFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The broad class of a failure.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private let name: String

        /// The file or directory could not be read.
        public static let unreadable = Kind(name: "unreadable")
        /// `dlopen` refused the file.
        public static let openFailed = Kind(name: "open failed")
        /// The library does not export `grid_plugin_entry`.
        public static let missingEntry = Kind(name: "missing entry")
        /// The descriptor has another ABI version than this host.
        public static let abiMismatch = Kind(name: "ABI mismatch")
        /// The descriptor is malformed (NULL fields, bad names or versions, duplicates inside it).
        public static let invalidDescriptor = Kind(name: "invalid descriptor")
        /// A capability or the plugin name is already taken by a plugin loaded earlier.
        public static let duplicate = Kind(name: "duplicate")
        /// The plugin's `init` returned an error code.
        public static let initFailed = Kind(name: "init failed")
        /// The runner loading the plugin died, or no runner could be started to load it.
        public static let runnerFailed = Kind(name: "runner failed")
        /// An FFI manifest that does not check (syntax, marker version, a field).
        public static let invalidManifest = Kind(name: "invalid manifest")
        /// An FFI manifest's library opened but lacks a symbol the manifest declares.
        public static let missingSymbol = Kind(name: "missing symbol")
        /// The worker requires trusted authors and the file is not signed by one (`grid worker --trust-authors`).
        public static let untrusted = Kind(name: "untrusted")
        /// The file's bytes changed between the trust decision and the load.
        public static let changed = Kind(name: "changed")

        public var description: String { name }
    }

    private enum Code: Sendable, Hashable {
        case unreadable(String)
        case openFailed(String)
        case missingEntry(String)
        case nullDescriptor
        case abiMismatch(found: UInt32, expected: ClosedRange<UInt32>)
        case invalidDescriptor(String)
        case duplicateCapability(capability: String, owner: String, ownerPath: String)
        case duplicatePluginName(name: String, ownerPath: String)
        case initFailed(Int32)
        case runnerDied(String)
        case runnerUnavailable(String)
        case invalidManifest(String)
        case libraryUnavailable(String)
        case symbolUnavailable(String)
        case untrusted(String)
        case changed(decided: String, loaded: String)
    }

    /// The file (or directory) concerned.
    public let path: String
    private let code: Code

    private init(path: String, code: Code) {
        self.path = path
        self.code = code
    }

    static func unreadable(_ path: String, reason: String) -> Self { Self(path: path, code: .unreadable(reason)) }
    static func openFailed(_ path: String, dlerror: String) -> Self { Self(path: path, code: .openFailed(dlerror)) }
    static func missingEntry(_ path: String, dlerror: String) -> Self {
        Self(path: path, code: .missingEntry(dlerror))
    }
    static func nullDescriptor(_ path: String) -> Self { Self(path: path, code: .nullDescriptor) }
    static func abiMismatch(_ path: String, found: UInt32, expected: ClosedRange<UInt32>) -> Self {
        Self(path: path, code: .abiMismatch(found: found, expected: expected))
    }
    static func invalidDescriptor(_ path: String, _ reason: String) -> Self {
        Self(path: path, code: .invalidDescriptor(reason))
    }
    static func duplicateCapability(_ path: String, capability: String, owner: String, ownerPath: String) -> Self {
        Self(path: path, code: .duplicateCapability(capability: capability, owner: owner, ownerPath: ownerPath))
    }
    static func duplicatePluginName(_ path: String, name: String, ownerPath: String) -> Self {
        Self(path: path, code: .duplicatePluginName(name: name, ownerPath: ownerPath))
    }
    static func initFailed(_ path: String, resultCode: Int32) -> Self {
        Self(path: path, code: .initFailed(resultCode))
    }

    static func runnerDied(_ path: String, clause: String) -> Self { Self(path: path, code: .runnerDied(clause)) }
    static func runnerUnavailable(_ path: String, reason: String) -> Self {
        Self(path: path, code: .runnerUnavailable(reason))
    }

    static func invalidManifest(_ path: String, reason: String) -> Self {
        Self(path: path, code: .invalidManifest(reason))
    }
    /// `reason` is the loader's full sentence (`FFICallError.description`).
    static func libraryUnavailable(_ path: String, reason: String) -> Self {
        Self(path: path, code: .libraryUnavailable(Self.clause(reason)))
    }
    static func symbolUnavailable(_ path: String, reason: String) -> Self {
        Self(path: path, code: .symbolUnavailable(Self.clause(reason)))
    }
    static func untrusted(_ path: String, reason: String) -> Self { Self(path: path, code: .untrusted(reason)) }
    static func changed(_ path: String, decided: String, loaded: String) -> Self {
        Self(path: path, code: .changed(decided: decided, loaded: loaded))
    }

    /// A sentence made a clause: without its final period.
    private static func clause(_ sentence: String) -> String {
        sentence.hasSuffix(".") ? String(sentence.dropLast()) : sentence
    }

    /// The class of failure.
    public var kind: Kind {
        switch code {
        case .unreadable: return .unreadable
        case .openFailed: return .openFailed
        case .missingEntry: return .missingEntry
        case .nullDescriptor, .invalidDescriptor: return .invalidDescriptor
        case .abiMismatch: return .abiMismatch
        case .duplicateCapability, .duplicatePluginName: return .duplicate
        case .initFailed: return .initFailed
        case .runnerDied, .runnerUnavailable: return .runnerFailed
        case .invalidManifest: return .invalidManifest
        case .libraryUnavailable: return .openFailed
        case .symbolUnavailable: return .missingSymbol
        case .untrusted: return .untrusted
        case .changed: return .changed
        }
    }

    /// Why the file was not loaded, as a clause without the path.
    public var reason: String {
        switch code {
        case .unreadable(let reason):
            return "it cannot be read: \(reason)"
        case .openFailed(let dlerror):
            return "dlopen refused it: \(dlerror)"
        case .missingEntry(let dlerror):
            return "it does not export the entry symbol grid_plugin_entry: \(dlerror)"
        case .nullDescriptor:
            return "grid_plugin_entry returned a NULL descriptor"
        case .abiMismatch(let found, let expected):
            let versions = expected.count == 1 ? "version \(expected.lowerBound)"
                : "versions \(expected.lowerBound) to \(expected.upperBound)"
            return "its descriptor has plugin ABI version \(found) but this host loads \(versions)"
        case .invalidDescriptor(let reason):
            return "its descriptor is invalid: \(reason)"
        case .duplicateCapability(let capability, let owner, let ownerPath):
            return "it offers the capability \(capability), already offered by plugin \(owner) from \(ownerPath)"
        case .duplicatePluginName(let name, let ownerPath):
            return "its name \(name) is already used by the plugin loaded from \(ownerPath)"
        case .initFailed(let resultCode):
            return "its init function returned the error code \(resultCode)"
        case .runnerDied(let clause):
            return "the runner loading it \(clause)"
        case .runnerUnavailable(let reason):
            return "no runner could be started to load it: \(reason)"
        case .invalidManifest(let reason):
            return "it is not a valid FFI manifest: \(reason)"
        case .libraryUnavailable(let reason):
            return "the library it declares could not be opened in a runner: \(reason)"
        case .symbolUnavailable(let reason):
            return "a symbol it declares could not be resolved in a runner: \(reason)"
        case .untrusted(let reason):
            return reason
        case .changed(let decided, let loaded):
            return "it changed while it was being loaded (SHA-256 \(decided) was checked, \(loaded) is on disk now)"
        }
    }

    public var description: String {
        "The plugin \(path) was not loaded: \(reason)."
    }
}
