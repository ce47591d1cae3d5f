import Foundation
import GridFFI
import GridTestKit
import Testing

@Suite("FFI manifest scan")
struct FFIManifestScanTests {
    @Test("a plugin folder: manifests load, broken ones fail with their file named, other JSON is ignored")
    func scan() throws {
        let folder = try TemporaryFolder("grid-ffi-scan")
        defer { folder.remove() }
        try FileManager.default.copyItem(atPath: packageRoot + "/Plugins/ffi/libm.json", toPath: folder.file("m.json"))
        try FileManager.default.copyItem(atPath: packageRoot + "/Plugins/ffi/zlib.json", toPath: folder.file("z.json"))
        try Data(#"{"capability": "hash.sha256"}"#.utf8).write(to: URL(fileURLWithPath: folder.file("job.json")))
        try Data(#"{"peergrid-ffi-manifest": 1, "name": "x"}"#.utf8)
            .write(to: URL(fileURLWithPath: folder.file("broken.json")))
        try Data(#"{"peergrid-ffi-manifest": 1, "name": "y",}"#.utf8)
            .write(to: URL(fileURLWithPath: folder.file("comma.json")))
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: folder.file("notes.json")))
        try Data([0x7f, 0x45, 0x4c, 0x46]).write(to: URL(fileURLWithPath: folder.file("libx.so")))

        let scan = FFIManifestScan.scan(directory: folder.path)
        #expect(scan.manifests.map(\.manifest.name) == ["libm", "zlib"])
        #expect(scan.manifests.map(\.path) == [folder.file("m.json"), folder.file("z.json")])
        #expect(scan.ignored == [folder.file("job.json"), folder.file("notes.json")])
        #expect(scan.failures.map(\.path) == [folder.file("broken.json"), folder.file("comma.json")])
        #expect(scan.failures.first?.field == "version")
        // A manifest with a syntax error is reported as one, not skipped as "other JSON".
        #expect(scan.failures.last?.kind == .notJSON)

        let missing = FFIManifestScan.scan(directory: folder.file("nowhere"))
        #expect(missing.failures.first?.kind == .unreadable)
    }
}
