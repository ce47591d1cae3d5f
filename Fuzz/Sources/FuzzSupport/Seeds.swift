#if canImport(Glibc)
import Glibc
#endif

/// Writes a harness's seed inputs when `FUZZ_WRITE_SEEDS` names a folder, then exits; otherwise does nothing.
///
/// Seeds that are hard to write by hand (binary encodings, valid signatures) are produced by the code under test,
/// so they stay valid as formats change: `make fuzz-seeds` regenerates every corpus in `Fuzz/corpus/`.
public func writeSeedsIfAsked(_ seeds: () -> [String: [UInt8]]) {
    guard let folder = getenv("FUZZ_WRITE_SEEDS").map({ String(cString: $0) }) else { return }
    for (name, bytes) in seeds() {
        let path = folder + "/" + name
        guard let file = fopen(path, "wb") else {
            printError("cannot write \(path): \(String(cString: strerror(errno)))")
            exit(1)
        }
        _ = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
        fclose(file)
    }
    exit(0)
}

/// The UTF-8 bytes of `text` (for seeds).
public func utf8(_ text: String) -> [UInt8] {
    Array(text.utf8)
}
