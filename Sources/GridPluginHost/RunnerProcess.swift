import GridRunnerProtocol
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One `grid-runner` child process and its channel: blocking calls, made by one caller at a time.
///
/// `@unchecked Sendable`: `pid` and `channel` never change; the mutable bookkeeping is behind a `Mutex`. The pool
/// guarantees one exchange at a time; `kill()` may be called from any thread meanwhile (the process is reaped
/// only by `reap()`, so its pid cannot be reused before that).
final class RunnerProcess: @unchecked Sendable {
    /// How an exchange ended when it did not return a reply.
    enum Broken: Error, Sendable, Hashable {
        /// The channel ended; the runner announced this fatal signal (and failed allocation) first, if it did.
        case ended(dyingSignal: Int32?, failedAllocation: UInt64)
        /// The runner sent something that is not a frame of the protocol.
        case garbled(String)
        /// No reply came before the deadline; the runner was killed (SIGKILL) and must be reaped.
        case timedOut
    }

    private struct State {
        var reaped = false
        var reportedCPU: UInt64 = 0
    }

    let pid: pid_t
    private let channel: Int32
    private let state = Mutex(State())

    private init(pid: pid_t, channel: Int32) {
        self.pid = pid
        self.channel = channel
    }

    deinit {
        close(channel)
    }

    /// Starts `configuration.executable` with its channel on descriptor 3, standard input from /dev/null and
    /// standard output joined to standard error (a plugin printing must not corrupt the channel).
    static func spawn(_ configuration: RunnerConfiguration) throws(RunnerStartError) -> RunnerProcess {
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw RunnerStartError(executable: configuration.executable, reason: Self.errnoText())
        }
        let (local, remote) = (pair[0], pair[1])
        // Keep the child's end away from 0...3, so the dup2 to 3 below always clears close-on-exec.
        let childEnd = fcntl(remote, F_DUPFD_CLOEXEC, 10)
        close(remote)
        guard childEnd >= 0 else {
            close(local)
            throw RunnerStartError(executable: configuration.executable, reason: Self.errnoText())
        }
        defer { close(childEnd) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, 2, 1)
        posix_spawn_file_actions_adddup2(&actions, childEnd, 3)

        let arguments = [configuration.executable, "--memory", "\(configuration.memoryLimit)"]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, configuration.executable, &actions, nil, &argv, environ)
        guard result == 0 else {
            close(local)
            throw RunnerStartError(executable: configuration.executable, reason: String(cString: strerror(result)))
        }
        return RunnerProcess(pid: pid, channel: local)
    }

    /// Sends `request` and waits for its reply until `deadline` (for ever when nil); past it the runner is killed
    /// and the exchange ends as `.timedOut`. A `dying` frame ends the exchange as `.ended` with its signal.
    func exchange(_ request: RunnerRequest, deadline: ContinuousClock.Instant? = nil) -> Result<RunnerReply, Broken> {
        guard writeAll(RunnerFrame.framed(request.encoded())) else {
            return .failure(.ended(dyingSignal: nil, failedAllocation: 0))
        }
        switch readFrame(deadline: deadline) {
        case .failure(let broken):
            return .failure(broken)
        case .success(let body):
            do {
                let reply = try RunnerReply(decoding: body)
                if case .dying(let signal, let failed) = reply {
                    return .failure(.ended(dyingSignal: signal, failedAllocation: failed))
                }
                if case .result(let report) = reply {
                    state.withLock { $0.reportedCPU &+= report.cpuMicroseconds }
                } else if case .ffiResult(_, let cpuMicroseconds, _) = reply {
                    state.withLock { $0.reportedCPU &+= cpuMicroseconds }
                }
                return .success(reply)
            } catch {
                return .failure(.garbled(error.description))
            }
        }
    }

    /// Sends SIGKILL, unless the process was already reaped.
    func kill() {
        state.withLock { state in
            if !state.reaped { _ = Glibc.kill(pid, SIGKILL) }
        }
    }

    /// Whether the process ended on its own within `deadline` (polled every millisecond, without reaping).
    func endsOnItsOwn(within deadline: Duration) -> Bool {
        let clock = ContinuousClock()
        let end = clock.now + deadline
        var info = siginfo_t()
        while clock.now < end {
            if waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info._sifields._sigchld.si_pid == pid {
                return true
            }
            usleep(1000)
        }
        return false
    }

    /// Waits for the process to end and collects its status; the CPU time is what the runner had not reported yet.
    func reap() -> RunnerExit {
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let total = UInt64(usage.ru_utime.tv_sec) * 1_000_000 + UInt64(usage.ru_utime.tv_usec)
            + UInt64(usage.ru_stime.tv_sec) * 1_000_000 + UInt64(usage.ru_stime.tv_usec)
        let unreported = state.withLock { state -> UInt64 in
            state.reaped = true
            return total > state.reportedCPU ? total - state.reportedCPU : 0
        }
        let signaled = (status & 0x7f) != 0 && (status & 0x7f) != 0x7f
        let exit: RunnerExit.Status = signaled ? .signaled(status & 0x7f) : .exited((status >> 8) & 0xff)
        return RunnerExit(status: exit, cpuMicroseconds: unreported)
    }

    /// Ends the process for good: SIGKILL, then reap.
    func terminate() {
        kill()
        _ = reap()
    }

    // MARK: Channel

    private func readFrame(deadline: ContinuousClock.Instant?) -> Result<[UInt8], Broken> {
        var header = [UInt8](repeating: 0, count: 4)
        guard waitReadable(until: deadline) else {
            kill()
            return .failure(.timedOut)
        }
        guard readExactly(&header) else { return .failure(.ended(dyingSignal: nil, failedAllocation: 0)) }
        let length: Int
        do {
            length = try RunnerFrame.bodyLength(header: header)
        } catch {
            return .failure(.garbled(error.description))
        }
        var body = [UInt8](repeating: 0, count: length)
        guard readExactly(&body) else { return .failure(.ended(dyingSignal: nil, failedAllocation: 0)) }
        return .success(body)
    }

    /// Waits with `poll(2)` until the channel has something to read (or has closed); false when `deadline` passed
    /// first. The timeout needs no timer thread: the thread waiting for the reply is the one that notices.
    private func waitReadable(until deadline: ContinuousClock.Instant?) -> Bool {
        guard let deadline else { return true }
        var entry = pollfd(fd: channel, events: Int16(POLLIN), revents: 0)
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return false }
            let (seconds, attoseconds) = remaining.components
            let milliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
            let ready = poll(&entry, 1, milliseconds)
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR { return true }  // let the read report the problem
        }
    }

    private func readExactly(_ buffer: inout [UInt8]) -> Bool {
        ChannelIO.readExactly(channel, into: &buffer)
    }

    private func writeAll(_ bytes: [UInt8]) -> Bool {
        ChannelIO.writeAll(channel, bytes)
    }

    private static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}
