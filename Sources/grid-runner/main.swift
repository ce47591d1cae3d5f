// grid-runner: the process a worker runs plugin code in (docs/plugin-isolation.md).
//
// It speaks runner frames (GridRunnerProtocol) on file descriptor 3, one request at a time, and links nothing but
// the Swift standard library and C: no Foundation, NIO or GRDB. A plugin that crashes, hangs or exhausts memory
// here takes down this process only; the worker sees it and starts a new one.
import CGridPluginABI
import CGridRunner
import GridRunnerProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

let channel: Int32 = 3

/// Prints `message` to standard error and exits with status 2 (start-up problems only).
func fail(_ message: String) -> Never {
    let line = "grid-runner: \(message)\n"
    _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    exit(2)
}

/// `--memory BYTES` (0 for no limit) is the only argument.
func memoryLimit() -> UInt64 {
    let arguments = CommandLine.arguments.dropFirst()
    guard arguments.count == 2, arguments.first == "--memory", let bytes = UInt64(arguments.last!) else {
        fail("usage: grid-runner --memory BYTES (started by grid worker, with its channel on descriptor 3)")
    }
    return bytes
}

let limit = memoryLimit()
let prepared = grid_runner_prepare(channel, limit)
guard prepared == 0 else { fail("could not prepare the runner: \(String(cString: strerror(prepared)))") }

var session = RunnerSession(channel: channel)
session.serve()
exit(0)
