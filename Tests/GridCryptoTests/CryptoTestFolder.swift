import Foundation

/// A fresh temporary folder for one test, removed with `remove()`.
///
/// A private stand-in for GridTestKit's `TemporaryFolder`, so these tests need nothing beyond GridCrypto.
struct CryptoTestFolder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "/grid-crypto-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the folder.
    func file(_ name: String) -> String { path + "/" + name }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
