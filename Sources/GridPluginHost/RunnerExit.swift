/// How a runner process ended, as `wait4` reported it, with the CPU time it used in all.
struct RunnerExit: Sendable, Hashable {
    enum Status: Sendable, Hashable {
        case exited(Int32)
        case signaled(Int32)
    }

    var status: Status
    /// User plus system CPU time of the whole process life, from `wait4`'s rusage.
    var cpuMicroseconds: UInt64
}
