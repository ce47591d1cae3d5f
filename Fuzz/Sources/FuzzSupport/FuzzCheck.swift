#if canImport(Glibc)
import Glibc
#endif

/// Fails the run when an invariant does not hold: prints `message` and aborts, which libFuzzer reports as a crash
/// and saves the input for.
public func fuzzCheck(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                      file: StaticString = #fileID, line: UInt = #line) {
    guard !condition() else { return }
    printError("fuzz invariant failed at \(file):\(line): \(message())")
    abort()
}

/// Writes one line to standard error (descriptor 2, which needs no shared `FILE`).
public func printError(_ line: String) {
    let text = Array((line + "\n").utf8)
    _ = text.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count) }
}
