import Foundation
import GridTestKit
import Testing

/// `grid plugin sign` and `grid plugin verify` as an author and an operator use them.
@Suite("Command line: plugin signing")
struct PluginSigningCommandTests {
    /// The shipped zlib manifest, copied into `folder`.
    static func copyManifest(into folder: TemporaryFolder) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let path = folder.file("zlib.json")
        let shipped = root.appendingPathComponent("Plugins/ffi/zlib.json").path
        try FileManager.default.copyItem(atPath: shipped, toPath: path)
        return path
    }

    @Test("sign writes PATH.sig and lists the manifest's declarations; verify prints the author")
    func signAndVerify() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let manifest = try Self.copyManifest(into: folder)
        let home = folder.file("home")
        let id = try await GridRun.run(["id", "--home", home]).stdout
        let signed = try await GridRun.run(["plugin", "sign", manifest, "--home", home])
        #expect(signed.status == 0, "\(signed.stderr)")
        #expect(signed.stdout.contains("signed \(manifest) as \(id)"))
        #expect(signed.stdout.contains("uint64_t crc32(uint64_t crc, const uint8_t *data, uint32_t data_length)"))
        #expect(FileManager.default.fileExists(atPath: manifest + ".sig"))

        let verified = try await GridRun.run(["plugin", "verify", manifest])
        #expect(verified.status == 0)
        #expect(verified.stdout.hasPrefix("\(manifest): signed by \(id)"))

        try Data("# operators' list\n\(id)\n".utf8).write(to: URL(fileURLWithPath: folder.file("trusted")))
        let trusted = try await GridRun.run(["plugin", "verify", manifest, "--trust-authors", folder.file("trusted")])
        #expect(trusted.status == 0)
        #expect(trusted.stdout.contains("(a trusted author)"))
    }

    @Test("verify refuses, with the reason and a non-zero exit, an unknown author, a tampered and an unsigned file")
    func refusals() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let manifest = try Self.copyManifest(into: folder)
        _ = try await GridRun.run(["plugin", "sign", manifest, "--home", folder.file("author")])
        let stranger = try await GridRun.run(["id", "--home", folder.file("stranger")]).stdout
        try Data("\(stranger)\n".utf8).write(to: URL(fileURLWithPath: folder.file("trusted")))
        let unknown = try await GridRun.run(["plugin", "verify", manifest, "--trust-authors", folder.file("trusted")])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("who is not a trusted author in"))

        var bytes = try Data(contentsOf: URL(fileURLWithPath: manifest))
        bytes[bytes.count - 3] = UInt8(ascii: " ")
        try bytes.write(to: URL(fileURLWithPath: manifest))
        let tampered = try await GridRun.run(["plugin", "verify", manifest])
        #expect(tampered.status != 0)
        #expect(tampered.stderr.contains("it was changed after it was signed"))

        try FileManager.default.removeItem(atPath: manifest + ".sig")
        let unsigned = try await GridRun.run(["plugin", "verify", manifest])
        #expect(unsigned.status != 0)
        #expect(unsigned.stderr.contains("it is unsigned"))
    }

    @Test("sign refuses a manifest that does not check, before writing any signature")
    func signBrokenManifest() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("broken.json")
        try Data(#"{"peergrid-ffi-manifest": 1, "name": "x"}"#.utf8).write(to: URL(fileURLWithPath: path))
        let run = try await GridRun.run(["plugin", "sign", path, "--home", folder.file("home")])
        #expect(run.status != 0)
        #expect(run.stderr.contains("version is missing"))
        #expect(!FileManager.default.fileExists(atPath: path + ".sig"))
    }
}
