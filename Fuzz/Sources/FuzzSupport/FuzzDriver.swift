import CFuzzDriver
#if canImport(Glibc)
import Glibc
#endif

/// Runs libFuzzer from a harness's `main.swift`.
///
/// SwiftPM gives every executable its own `main`, so libFuzzer's `main` is never linked; `LLVMFuzzerRunDriver` is
/// libFuzzer's documented entry point for that case. With `FUZZ_WRITE_SEEDS` set, the harness writes its seeds
/// instead (see `writeSeedsIfAsked`).
public enum FuzzDriver {
    public static func main(seeds: () -> [String: [UInt8]],
                            _ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Never {
        writeSeedsIfAsked(seeds)
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, test))
    }
}
