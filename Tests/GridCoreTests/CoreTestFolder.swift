import Foundation

/// A fresh temporary folder for one test, removed with `remove()`.
///
/// A private stand-in for GridTestKit's `TemporaryFolder`, so these tests need nothing beyond GridCore.
struct CoreTestFolder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "/grid-core-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the folder.
    func file(_ name: String) -> String { path + "/" + name }

    /// Writes `text` to `name` inside the folder and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, Data(text.utf8))
    }

    /// Writes `data` to `name` inside the folder and returns its path.
    @discardableResult
    func write(_ name: String, _ data: Data) throws -> String {
        let path = file(name)
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
