import Foundation

/// Inputs the fuzz harnesses (Fuzz/, docs/fuzzing.md) found crashing or breaking an invariant, kept in
/// `Tests/Fixtures/fuzz/<harness>/` so the normal test suite replays each one (and `make fuzz` starts from them).
public enum FuzzFixtures {
    /// The repository's `Tests/Fixtures/fuzz/` folder, found from this source file.
    public static let folder: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/Fixtures/fuzz")

    /// Every input kept for `harness` (such as "job-spec"), by file name, in name order.
    public static func inputs(_ harness: String) -> [(name: String, bytes: [UInt8])] {
        let directory = folder.appendingPathComponent(harness)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().compactMap { name in
            FileManager.default.contents(atPath: directory.appendingPathComponent(name).path)
                .map { (name, Array($0)) }
        }
    }

    /// The contents of one kept input; fails the caller's test through a thrown error when it is missing.
    public static func input(_ harness: String, _ name: String) throws -> [UInt8] {
        let path = folder.appendingPathComponent(harness).appendingPathComponent(name).path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TestGridError("the fuzz fixture \(path) is missing")
        }
        return Array(data)
    }
}
