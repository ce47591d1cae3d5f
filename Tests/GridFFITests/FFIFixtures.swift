import Foundation
import GridFFI
import GridTestKit
import Testing

/// The C fixture library, compiled once per test process.
let fixtureLibrary: String = {
    let folder = try! TemporaryFolder("grid-ffi")
    return try! CLibrary.compile(CLibrary.ffiFixtureSource, named: "libffifixture.so", in: folder.path)
}()

/// The package's root folder, found from this file's place in it.
let packageRoot: String = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// A shipped example manifest from Plugins/ffi.
func shippedManifest(_ name: String) throws -> FFIManifest {
    try FFIManifest.load(from: packageRoot + "/Plugins/ffi/" + name)
}

/// A manifest over the fixture library declaring `capabilities` (JSON objects, written out).
func fixtureManifest(_ capabilities: [String]) throws -> FFIManifest {
    let text = """
        {"peergrid-ffi-manifest": 1, "name": "fixture", "version": "1.0.0", "library": "\(fixtureLibrary)",
         "capabilities": [\(capabilities.joined(separator: ",\n"))]}
        """
    return try FFIManifest(parsing: Array(text.utf8))
}

/// One capability declaration over the fixture library.
func declaration(_ name: String, symbol: String, returns: String, _ parameters: String) -> String {
    """
    {"name": "fx.\(name)", "version": "1.0.0", "description": "test", "cost": 1, "symbol": "\(symbol)",
     "returns": "\(returns)", "parameters": [\(parameters)]}
    """
}

/// Opens the manifest and runs `capability` on the JSON `input`, returning the JSON output as text.
func run(_ plugin: FFIPlugin, _ capability: String, _ input: String) throws -> String {
    let declared = try #require(plugin.manifest.capability(named: capability))
    return String(decoding: try plugin.invoke(declared, input: Array(input.utf8)), as: UTF8.self)
}

/// The argument error `input` gets from `capability`, recording an issue when it is accepted.
func argumentError(
    _ capability: FFICapability,
    _ input: String,
    sourceLocation: SourceLocation = #_sourceLocation
) -> FFIArgumentError? {
    do {
        let plan = try capability.plan(input: Array(input.utf8))
        Issue.record("Expected an FFIArgumentError, got the plan \(plan).", sourceLocation: sourceLocation)
    } catch {
        return error
    }
    return nil
}
