import Foundation
import GridTestKit

/// CPU time and memory of a process, read from `/proc/PID/stat` (`ProcStat`) and `/proc/PID/status`.
struct ProcessStats {
    /// User plus system CPU time, in microseconds.
    var cpuMicros: Int64
    /// Resident set size now, and its peak, in kilobytes.
    var rssKB: Int
    var peakRSSKB: Int

    private static let ticksPerSecond = Int64(sysconf(Int32(_SC_CLK_TCK)))

    static func read(_ pid: pid_t) -> ProcessStats? {
        guard let stat = ProcStat(path: "/proc/\(pid)/stat"), let user = stat[14].map(Int64.init),
              let system = stat[15].map(Int64.init) else { return nil }
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        func kilobytes(_ key: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else { return 0 }
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        return ProcessStats(cpuMicros: (user + system) * 1_000_000 / ticksPerSecond, rssKB: kilobytes("VmRSS"),
                            peakRSSKB: kilobytes("VmHWM"))
    }

    /// The processes whose parent is `pid` (a worker's runners).
    static func children(of pid: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { name -> pid_t? in
            guard let child = pid_t(name), let parent = ProcStat(path: "/proc/\(child)/stat")?[4] else { return nil }
            return parent == Int(pid) ? child : nil
        }
    }

    /// This process's own CPU time, in microseconds.
    static func selfCPUMicros() -> Int64 {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int64(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1_000_000
            + Int64(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec)
    }
}
