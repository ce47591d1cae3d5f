import GridFFICall

/// A manifest whose library is open and whose every symbol was found: its capabilities can be called in this process.
///
/// Opening checks the whole manifest against the library at once, so a missing library or an unknown symbol is
/// reported when the plugin is loaded, not when the first job arrives. A worker that isolates plugin code instead
/// builds plans here (`FFICapability.plan(input:)`) and makes the call in a runner process with `FFIInvoker`.
public final class FFIPlugin: Sendable {
    public let manifest: FFIManifest
    private let library: FFILibrary

    /// Opens the manifest's library and resolves every declared symbol; throws the first failure.
    public init(manifest: FFIManifest) throws(FFICallError) {
        let library = try FFILibrary(opening: manifest.library)
        for capability in manifest.capabilities {
            _ = try library.address(of: capability.symbol)
        }
        self.manifest = manifest
        self.library = library
    }

    /// Checks `input` against `capability`'s signature, calls it in this process and formats the result.
    ///
    /// Throws `FFIArgumentError` for bad input (before any call), `FFICallError` when the call cannot be made.
    public func invoke(_ capability: FFICapability, input: [UInt8]) throws -> [UInt8] {
        let plan = try capability.plan(input: input)
        let result = try FFIInvoker.call(plan, in: library)
        return try capability.format(result)
    }
}
