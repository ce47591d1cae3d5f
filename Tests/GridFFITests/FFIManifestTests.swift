import Foundation
import GridFFI
import GridFFICall
import GridTestKit
import Testing

/// Malformed manifests, each refused with the field named.
@Suite("FFI manifest validation")
struct FFIManifestTests {
    static let capability = """
        {"name": "fx.ok", "version": "1.0.0", "cost": 1, "symbol": "add_i32", "returns": "int32",
         "parameters": [{"name": "a", "type": "int32"}, {"name": "b", "type": "int32"}]}
        """

    static func manifest(top: String = #""name": "fx", "version": "1.0.0", "library": "libm.so.6""#,
                         capabilities: [String] = [capability]) -> [UInt8] {
        Array(#"{"peergrid-ffi-manifest": 1, \#(top), "capabilities": [\#(capabilities.joined(separator: ","))]}"#.utf8)
    }

    static func error(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> FFIManifestError? {
        do {
            let manifest = try FFIManifest(parsing: bytes, file: "m.json")
            Issue.record("Expected an FFIManifestError, got \(manifest).", sourceLocation: sourceLocation)
        } catch {
            return error
        }
        return nil
    }

    /// A capability declaration over `f` with these parameters (JSON objects).
    static func withParameters(_ parameters: String) -> String {
        #"{"name": "fx.a", "version": "1.0.0", "cost": 1, "symbol": "f", "returns": "void", "parameters": ["#
            + parameters + "]}"
    }

    static func capabilityError(_ text: String) -> FFIManifestError? { error(manifest(capabilities: [text])) }

    @Test("a valid manifest parses into its declarations")
    func valid() throws {
        let manifest = try FFIManifest(parsing: Self.manifest())
        #expect(manifest.name == "fx")
        #expect(manifest.capabilities.first?.cSignature == "int32_t add_i32(int32_t a, int32_t b)")
        #expect(manifest.capabilities.first?.description == "")
        #expect(manifest.capabilities.first?.deterministic == true)
    }

    @Test("\"deterministic\": false marks a capability whose output may differ between runs; true is the default")
    func deterministic() throws {
        let random = #"{"name": "fx.rand", "version": "1.0.0", "cost": 1, "deterministic": false, "symbol": "rand", "#
            + #""returns": "int32"}"#
        let explicit = #"{"name": "fx.same", "version": "1.0.0", "cost": 1, "deterministic": true, "symbol": "abs", "#
            + #""returns": "int32", "parameters": [{"name": "x", "type": "int32"}]}"#
        let manifest = try FFIManifest(parsing: Self.manifest(capabilities: [Self.capability, random, explicit]))
        #expect(manifest.capabilities.map(\.deterministic) == [true, false, true])
    }

    @Test("the marker tells manifests from other JSON; the version is read before the body")
    func header() throws {
        #expect(FFIManifest.isManifest(Self.manifest()))
        #expect(!FFIManifest.isManifest(Array(#"{"capability": "hash.sha256"}"#.utf8)))
        #expect(!FFIManifest.isManifest(Array("not json".utf8)))
        #expect(FFIManifest.isManifest(Array(#"{"peergrid-ffi-manifest": 1,,}"#.utf8)))
        #expect(Self.error(Array(#"{"name": "x"}"#.utf8))?.kind == .notManifest)
        let future = Self.error(Array(#"{"peergrid-ffi-manifest": 2, "anything": "new"}"#.utf8))
        #expect(future?.kind == .unsupportedVersion)
        #expect(future?.description == "The FFI manifest m.json is invalid: its \"peergrid-ffi-manifest\" version is "
            + "2, but this host reads version 1.")
    }

    @Test("not strict JSON: duplicate keys, trailing text, bad syntax", arguments: [
        #"{"peergrid-ffi-manifest": 1, "name": "a", "name": "b"}"#,
        #"{"peergrid-ffi-manifest": 1} {}"#,
        #"{"peergrid-ffi-manifest": 1,}"#,
        #"{'peergrid-ffi-manifest': 1}"#,
    ])
    func notJSON(text: String) throws {
        let error = try #require(Self.error(Array(text.utf8)))
        #expect(error.kind == .notJSON)
        #expect(error.description.contains("not strict JSON"))
    }

    @Test("a duplicate key is named with its offset")
    func duplicateKey() throws {
        let error = try #require(Self.error(Array(#"{"peergrid-ffi-manifest": 1, "name": "a", "name": "b"}"#.utf8)))
        #expect(error.description.contains("at byte 42: the key \"name\" appears twice"), "\(error)")
    }

    @Test("bad top-level fields are named", arguments: [
        (#""version": "1.0.0", "library": "libm.so.6""#, "name is missing"),
        (#""name": "Bad Name", "version": "1.0.0", "library": "libm.so.6""#, "name must be 1 to 64 lowercase"),
        (#""name": "fx", "version": "one", "library": "libm.so.6""#, "version must be a semantic version"),
        (#""name": "fx", "version": "1.0.0", "library": 5"#, "library must be a string, not a number"),
        (#""name": "fx", "version": "1.0.0", "library": """#, "library must be a soname"),
        (#""name": "fx", "version": "1.0.0", "library": "l", "libary": "x""#, "libary is not a known field"),
    ])
    func topLevel(top: String, expected: String) throws {
        let error = try #require(Self.error(Self.manifest(top: top)))
        #expect(error.kind == .invalidField)
        #expect(error.description.contains(expected), "\(error)")
    }

    @Test("bad capability and parameter fields are named by their path", arguments: [
        (#"{"name": "nodots", "version": "1.0.0", "cost": 1, "symbol": "f", "returns": "void"}"#,
         "capabilities[0].name must be lowercase and dotted"),
        (#"{"name": "fx.a", "version": "1.0.0", "cost": -1, "symbol": "f", "returns": "void"}"#,
         "capabilities[0].cost must be an integer from 0 to 4294967295"),
        (#"{"name": "fx.a", "version": "1.0.0", "cost": 1, "symbol": "1f", "returns": "void"}"#,
         "capabilities[0].symbol must be a C identifier"),
        (#"{"name": "fx.a", "version": "1.0.0", "cost": 1, "symbol": "f", "returns": "char"}"#,
         "capabilities[0].returns must be void or one of int8"),
        (#"{"name": "fx.a", "version": "1.0.0", "cost": 1, "symbol": "f"}"#, "capabilities[0].returns is missing"),
        (withParameters(#"{"name": "x", "type": "long"}"#),
         "capabilities[0].parameters[0].type must be one of int8"),
        (withParameters(#"{"name": "x", "type": "buffer", "length": "double"}"#),
         "capabilities[0].parameters[0].length must be an integer type"),
        (withParameters(#"{"name": "x", "type": "int32", "length": "int32"}"#),
         "capabilities[0].parameters[0].length does not apply to a parameter of type int32"),
        (withParameters(#"{"name": "x", "type": "int32"}, {"name": "x", "type": "int32"}"#),
         "capabilities[0].parameters[1].name repeats the parameter name x"),
        (withParameters(#"{"name": "o", "type": "output"}"#),
         "capabilities[0].parameters[0].size is missing"),
        (withParameters(#"{"name": "o", "type": "output", "size": {"lengthOf": "nope"}}"#),
         "capabilities[0].parameters[0].size refers to nope, which is not a string or buffer parameter"),
        (withParameters(#"{"name": "n", "type": "double"}, {"name": "o", "type": "output", "size": {"valueOf": "n"}}"#),
         "capabilities[0].parameters[1].size refers to n, which is not an integer parameter"),
        (withParameters(#"{"name": "o", "type": "output", "size": 100000000}"#),
         "capabilities[0].parameters[0].size must be an integer from 0 to 67108864"),
        (withParameters(#"{"name": "o", "type": "output", "size": 4, "encoding": "utf16"}"#),
         "capabilities[0].parameters[0].encoding must be base64, hex or text"),
        (withParameters(#"{"name": "o", "type": "output", "size": 4, "trimToReturn": true}"#),
         "capabilities[0].parameters[0].trimToReturn needs the capability to return an integer type"),
        (withParameters(#"{"name": "o", "type": "output", "size": 4, "trimToReturn": "yes"}"#),
         "capabilities[0].parameters[0].trimToReturn must be true or false"),
        (#"{"name": "fx.a", "version": "1.0.0", "cost": 1, "deterministic": "no", "symbol": "f", "returns": "void"}"#,
         "capabilities[0].deterministic must be true or false, not \"no\""),
        (#"{"name": "fx.a", "version": "1.0.0", "cost": 1, "deterministic": 0, "symbol": "f", "returns": "void"}"#,
         "capabilities[0].deterministic must be true or false, not 0"),
        (withParameters(#"{"name": "return", "type": "int8"}"#),
         "capabilities[0].parameters[0].name must be a C identifier other than \"return\""),
    ])
    func capabilityFields(text: String, expected: String) throws {
        let error = try #require(Self.capabilityError(text))
        #expect(error.kind == .invalidField)
        #expect(error.description.contains(expected), "\(error)")
    }

    @Test("no capabilities, or one declared twice, is refused")
    func capabilityList() throws {
        #expect(Self.error(Self.manifest(capabilities: []))?.description.contains("at least one capability") == true)
        let twice = Self.error(Self.manifest(capabilities: [Self.capability, Self.capability]))
        #expect(twice?.field == "capabilities[1].name")
    }

    @Test("a relative library path is resolved against the manifest's folder; a soname is left to the loader")
    func libraryPaths() throws {
        let folder = try TemporaryFolder("grid-ffi-manifest")
        defer { folder.remove() }
        let relative = Self.manifest(top: #""name": "fx", "version": "1.0.0", "library": "lib/x.so""#)
        try Data(relative).write(to: URL(fileURLWithPath: folder.file("x.json")))
        #expect(try FFIManifest.load(from: folder.file("x.json")).library == folder.path + "/lib/x.so")
        #expect(try FFIManifest.load(from: folder.file("x.json")).capabilities[0].library == folder.path + "/lib/x.so")
        #expect(try FFIManifest(parsing: Self.manifest(), folder: folder.path).library == "libm.so.6")
        let missing = try #require(throws: FFIManifestError.self) { try FFIManifest.load(from: folder.file("no.json")) }
        #expect(missing.kind == .unreadable)
        #expect(missing.description.contains("No such file or directory"), "\(missing)")
    }

    @Test("a missing library or an unknown symbol is found when the plugin is opened, with the loader's reason")
    func openFailures() throws {
        let noLibrary = try FFIManifest(parsing: Self.manifest(
            top: #""name": "fx", "version": "1.0.0", "library": "libgrid-missing.so.3""#))
        let libraryError = try #require(throws: FFICallError.self) { try FFIPlugin(manifest: noLibrary) }
        #expect(libraryError.kind == .libraryNotLoaded)
        #expect(libraryError.description.contains("libgrid-missing.so.3"))

        let noSymbol = try FFIManifest(parsing: Self.manifest(capabilities: [
            #"{"name": "fx.a", "version": "1.0.0", "cost": 1, "symbol": "no_such_erf", "returns": "double"}"#,
        ]))
        let symbolError = try #require(throws: FFICallError.self) { try FFIPlugin(manifest: noSymbol) }
        #expect(symbolError.kind == .symbolNotFound)
        #expect(symbolError.description.contains("The library libm.so.6 does not export the symbol no_such_erf"))
    }
}
