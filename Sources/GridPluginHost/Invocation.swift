/// The end of one capability call: the output or why there is none, and the CPU time the call used.
public struct Invocation: Sendable {
    public var result: Result<[UInt8], PluginError>
    /// CPU time of the call (for a runner: user plus system time from rusage).
    public var cpu: Duration

    public init(result: Result<[UInt8], PluginError>, cpu: Duration) {
        self.result = result
        self.cpu = cpu
    }

    /// A failure that never reached a plugin, with no CPU time.
    static func failure(_ error: PluginError) -> Invocation {
        Invocation(result: .failure(error), cpu: .zero)
    }
}
