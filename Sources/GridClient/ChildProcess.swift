#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A child process started with `posix_spawn`, its stdout readable line by line, waited for with `waitpid`.
///
/// (`Foundation.Process.waitUntilExit` costs about 50 ms per child on Linux; this does not.)
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    private let stdoutFD: Int32
    private var buffer: [UInt8] = []
    private let lock = NSLock()
    private let waitLock = NSLock()
    private var exitStatus: Int32?

    /// Starts `executable` with `arguments`; stdout is captured, stderr goes to `stderrPath` (or /dev/null).
    public init(executable: String, arguments: [String], environment: [String: String]? = nil,
                stderrPath: String? = nil) throws {
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else { throw ChildProcessError(executable: executable, errno: errno) }
        // Close-on-exec, so children spawned at the same time by other threads do not inherit this pipe (the dup2
        // below gives this child its own copy as stdout, without the flag).
        _ = fcntl(pipeFDs[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(pipeFDs[1], F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addclose(&actions, pipeFDs[0])
        posix_spawn_file_actions_addclose(&actions, pipeFDs[1])

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { env.forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, nil, argv, env)
        close(pipeFDs[1])
        guard rc == 0 else {
            close(pipeFDs[0])
            throw ChildProcessError(executable: executable, errno: rc)
        }
        pid = child
        stdoutFD = pipeFDs[0]
    }

    deinit {
        close(stdoutFD)
    }

    /// The next line the child printed, or nil at end of output. Blocks the calling thread.
    public func readLine() -> String? {
        lock.lock()
        defer { lock.unlock() }
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = read(stdoutFD, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                if buffer.isEmpty { return nil }
                let line = String(decoding: buffer, as: UTF8.self)
                buffer.removeAll()
                return line
            }
            buffer.append(contentsOf: chunk[..<n])
        }
    }

    /// Reads lines until one satisfies `predicate` or output ends, on a background thread. If no such line comes
    /// within `timeout`, the child is killed (which ends its output) and the result is nil.
    public func firstLine(timeout: Duration = .seconds(30),
                          where predicate: @escaping @Sendable (String) -> Bool) async -> String? {
        let found = NSLock()
        nonisolated(unsafe) var done = false
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout.inSeconds) {
            found.withLock { if !done { self.signal(SIGKILL) } }
        }
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var result: String?
                while let line = self.readLine() {
                    if predicate(line) {
                        result = line
                        break
                    }
                }
                found.withLock { done = true }
                continuation.resume(returning: result)
            }
        }
    }

    /// Asks the child to stop with SIGTERM and waits; after `grace` it is killed with SIGKILL.
    public func stop(grace: Duration = .seconds(10)) async -> Int32 {
        signal(SIGTERM)
        DispatchQueue.global().asyncAfter(deadline: .now() + grace.inSeconds) {
            if !self.hasExited { self.signal(SIGKILL) }
        }
        return await wait()
    }

    /// Whether the child is still running; one that ended is reaped here and its status kept for `wait()`.
    public var isRunning: Bool {
        waitLock.withLock {
            guard exitStatus == nil else { return false }
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            guard result == pid else { return result == 0 }
            exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            return false
        }
    }

    private var hasExited: Bool {
        waitLock.withLock { exitStatus != nil }
    }

    /// Sends `signal` (SIGTERM by default).
    public func signal(_ signal: Int32 = SIGTERM) {
        kill(pid, signal)
    }

    /// Waits for the child to exit and returns its exit code (128 + signal number when killed by a signal).
    public func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: self.waitBlocking())
            }
        }
    }

    private func waitBlocking() -> Int32 {
        if let known = waitLock.withLock({ exitStatus }) { return known }
        var status: Int32 = 0
        var result = waitpid(pid, &status, 0)
        while result < 0 && errno == EINTR { result = waitpid(pid, &status, 0) }
        return waitLock.withLock {
            // Another waiter may have reaped it first (ECHILD here); otherwise a failed wait is never success.
            if let exitStatus { return exitStatus }
            let code: Int32 = result < 0 ? 255 : (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            exitStatus = code
            return code
        }
    }
}
