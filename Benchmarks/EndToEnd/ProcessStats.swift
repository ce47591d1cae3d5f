import Foundation

/// CPU time and memory of a process, read from `/proc/PID/stat` and `/proc/PID/status`.
struct ProcessStats {
    /// User plus system CPU time, in microseconds.
    var cpuMicros: Int64
    /// Resident set size now, and its peak, in kilobytes.
    var rssKB: Int
    var peakRSSKB: Int

    private static let ticksPerSecond = Int64(sysconf(Int32(_SC_CLK_TCK)))

    static func read(_ pid: pid_t) -> ProcessStats? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Int64(fields[11]), let system = Int64(fields[12]) else { return nil }
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
            guard let child = pid_t(name),
                  let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && pid_t(fields[1]) == pid ? child : nil
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
