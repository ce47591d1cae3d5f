import GridRunnerProtocol

/// What the worker saw of a runner that ended while running a call: pure, so every wording is tested directly.
struct RunnerDeath: Sendable, Hashable {
    /// How the process ended.
    var exit: RunnerExit.Status
    /// The signal and failed allocation from the runner's `dying` frame, when it sent one.
    var reportedSignal: Int32?
    /// The largest allocation that failed in the runner (from `dying` or the last report), 0 when none did.
    var failedAllocation: UInt64 = 0
    /// The worker killed it because the call ran past its timeout.
    var killedForTimeout = false
    /// The runner closed its channel (or broke the protocol, `protocolProblem`) while alive, and was killed.
    var closedChannel = false
    var protocolProblem: String?
    /// RLIMIT_AS of the runner, 0 for none.
    var memoryLimit: UInt64

    /// How the plugin ended, as a clause after "the plugin NAME …", such as "crashed with SIGSEGV".
    var clause: String {
        if let protocolProblem {
            return "broke the runner protocol (\(protocolProblem)); its runner was killed"
        }
        if closedChannel || exit == .exited(RunnerFrame.channelLostStatus) {
            return "closed its runner's connection to the worker; its runner was killed"
        }
        let memory = failedAllocation > 0 && memoryLimit > 0
            ? " after an allocation of \(Self.size(failedAllocation)) failed: it reached the runner's memory limit "
                + "of \(Self.size(memoryLimit))"
            : ""
        switch exit {
        case .signaled(let signal):
            if signal == 9 && reportedSignal == nil {
                return "was killed by SIGKILL from outside the worker (the kernel's out-of-memory killer does this)"
                    + memory
            }
            // Killed by the worker after reporting its own fatal signal (it did not finish dying in time): that signal.
            let shown = signal == 9 ? reportedSignal ?? signal : signal
            return "crashed with \(SignalName.of(shown))" + memory
        case .exited(let status):
            return "exited the runner with status \(status)" + memory
        }
    }

    /// Bytes for people: `512 MiB`, `2 GiB`, `1536 B`.
    static func size(_ bytes: UInt64) -> String {
        if bytes >= 1 << 30 && bytes % (1 << 30) == 0 { return "\(bytes >> 30) GiB" }
        if bytes >= 1 << 20 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10 { return "\(bytes >> 10) KiB" }
        return "\(bytes) B"
    }
}
