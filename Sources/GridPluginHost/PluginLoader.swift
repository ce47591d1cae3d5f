import CGridPluginABI
import GridRunnerProtocol
import Foundation
import GridCore
import GridCrypto
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Addresses of the descriptors whose `init` already ran in this process (a library loaded twice is one copy).
private let initializedDescriptors = Mutex<Set<UInt>>([])

/// Opens plugin libraries with `dlopen`, checks their descriptors and calls their `init`.
///
/// A bad file is reported (path and reason) and skipped; it never stops the others from loading. Libraries
/// are opened with RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE and never unloaded: unloading a Swift library
/// leaves the Swift runtime pointing into unmapped memory.
public enum PluginLoader {
    /// A logger that drops everything, the default.
    public static let silentLogger = Logger(label: "grid.plugins", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Loads every `*.so` file in `directory`, in file-name order; a directory that cannot be listed is
    /// reported as the only failure. `logger` receives one line per plugin loaded and per file refused.
    public static func loadDirectory(_ directory: String, logger: Logger = silentLogger) -> PluginLoadReport {
        do {
            return loadFiles(try pluginFiles(in: directory), logger: logger)
        } catch {
            return report(PluginLoadReport(failures: [error]), logger: logger)
        }
    }

    /// The `*.so` files in `directory`, in file-name order.
    public static func pluginFiles(in directory: String) throws(PluginLoadFailure) -> [String] {
        let names: [String]
        do {
            try BinaryFile.checkDirectory(directory)
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch let failure as PluginLoadFailure {
            throw failure
        } catch {
            throw .unreadable(directory, reason: "its entries cannot be listed (\(error))")
        }
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        return names.filter { $0.hasSuffix(".so") }.sorted().map { base + $0 }
    }

    /// Loads the files at `paths` in the given order; a capability or plugin name taken by an earlier file
    /// makes a later file fail.
    public static func loadFiles(_ paths: [String], logger: Logger = silentLogger) -> PluginLoadReport {
        var claims = CapabilityClaims()
        var result = PluginLoadReport()
        for path in paths {
            do {
                result.plugins.append(try load(path, claims: &claims))
            } catch {
                result.failures.append(error)
            }
        }
        return report(result, logger: logger)
    }

    /// Logs `result` and returns it.
    static func report(_ result: PluginLoadReport, logger: Logger) -> PluginLoadReport {
        for plugin in result.plugins {
            logger.info(
                "Loaded plugin",
                metadata: [
                    "grid.plugin.name": "\(plugin.name)",
                    "grid.plugin.version": "\(plugin.version)",
                    "grid.plugin.path": "\(plugin.path)",
                    "grid.plugin.capabilities": "\(plugin.capabilities.map(\.name).joined(separator: ","))",
                ]
            )
        }
        for failure in result.failures {
            logger.warning(
                "Plugin not loaded",
                metadata: ["grid.plugin.path": "\(failure.path)", "grid.plugin.reason": "\(failure.reason)"]
            )
        }
        return result
    }

    private static func load(_ path: String, claims: inout CapabilityClaims) throws(PluginLoadFailure) -> LoadedPlugin {
        let openPath = Self.openPath(path)
        let digest = Hex.encode(Digest.sha256(try BinaryFile.read(openPath)))
        _ = dlerror()
        guard let handle = dlopen(openPath, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            throw .openFailed(path, dlerror: Self.takeDLError())
        }
        do {
            return try attach(handle, path: path, digest: digest, claims: &claims)
        } catch {
            // RTLD_NODELETE keeps the code mapped; this only drops our reference.
            dlclose(handle)
            throw error
        }
    }

    private static func attach(
        _ handle: UnsafeMutableRawPointer,
        path: String,
        digest: String,
        claims: inout CapabilityClaims
    ) throws(PluginLoadFailure) -> LoadedPlugin {
        _ = dlerror()
        guard let symbol = dlsym(handle, GRID_PLUGIN_ENTRY_SYMBOL) else {
            throw .missingEntry(path, dlerror: Self.takeDLError())
        }
        let entry = unsafeBitCast(symbol, to: grid_plugin_entry_fn.self)
        guard let descriptor = entry() else { throw .nullDescriptor(path) }
        let validated = try PluginValidator.validate(DescriptorSnapshot(reading: descriptor), path: path)
        let names = validated.capabilities.map(\.name)
        try claims.check(plugin: validated.name, capabilities: names, path: path)
        let initResult = Self.initializeOnce(descriptor)
        guard initResult == GRID_PLUGIN_OK else { throw .initFailed(path, resultCode: initResult) }
        claims.claim(plugin: validated.name, capabilities: names, path: path)
        return LoadedPlugin(
            name: validated.name,
            version: validated.version,
            path: path,
            sha256: digest,
            capabilities: validated.capabilities,
            runner: InProcessRunner(pluginName: validated.name, descriptor: .init(pointer: descriptor))
        )
    }

    /// `path` as dlopen must be given it: without a slash dlopen would search the library path instead.
    static func openPath(_ path: String) -> String {
        path.contains("/") ? path : "./" + path
    }

    /// Calls the plugin's `init` unless it already ran in this process; returns its result code.
    private static func initializeOnce(_ descriptor: UnsafePointer<grid_plugin>) -> Int32 {
        let address = UInt(bitPattern: descriptor)
        return initializedDescriptors.withLock { initialized in
            guard !initialized.contains(address) else { return GRID_PLUGIN_OK }
            let result = descriptor.pointee.`init`?() ?? GRID_PLUGIN_OK
            if result == GRID_PLUGIN_OK { initialized.insert(address) }
            return result
        }
    }

    /// The pending `dlerror()` text, read before anything else can replace it.
    private static func takeDLError() -> String {
        guard let message = dlerror() else { return "no reason given by the dynamic loader" }
        return String(cString: message)
    }
}
