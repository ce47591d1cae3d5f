#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// How a worker starts its runner processes (docs/plugin-isolation.md).
public struct RunnerConfiguration: Sendable {
    /// The default memory limit of one runner: 1 GiB of address space.
    public static let defaultMemoryLimit: UInt64 = 1 << 30

    /// The `grid-runner` executable.
    public var executable: String
    /// RLIMIT_AS of each runner in bytes (0 for none). Counts address space, so it must leave room for the runner
    /// itself (about 100 MiB of mappings for the Swift runtime) besides what plugins allocate.
    public var memoryLimit: UInt64 = RunnerConfiguration.defaultMemoryLimit
    /// How long loading and initialising one plugin may take before its runner is killed.
    public var loadTimeout: Duration = .seconds(30)

    public init(executable: String) {
        self.executable = executable
    }

    /// `grid-runner` next to the running executable (SwiftPM puts both products in one folder), or nil when
    /// there is none. `GRID_RUNNER` in the environment overrides it.
    public static func locateExecutable() -> String? {
        if let override = getenv("GRID_RUNNER") {
            return String(cString: override)
        }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        let executable = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = executable.lastIndex(of: "/") else { return nil }
        let candidate = String(executable[..<slash]) + "/grid-runner"
        return access(candidate, X_OK) == 0 ? candidate : nil
    }
}
