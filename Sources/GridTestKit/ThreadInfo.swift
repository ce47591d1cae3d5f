import Foundation

/// What Linux tells of one thread: its name, nice value, scheduling policy and CPU time, from `/proc`.
public struct ThreadInfo: Sendable, Hashable {
    public let tid: Int
    /// The name the thread gave itself (`comm`, at most 15 bytes).
    public let name: String
    /// The nice value, -20 (highest priority) to 19 (lowest).
    public let nice: Int
    /// The scheduling policy: 0 normal, 3 batch, 5 idle.
    public let policy: Int
    /// Time on a CPU so far, in nanoseconds (`schedstat`).
    public let cpuNanoseconds: UInt64

    /// The calling thread.
    public static func current() throws -> ThreadInfo {
        // "/proc/thread-self" links to "PID/task/TID".
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")
        guard let tid = link.split(separator: "/").last.flatMap({ Int($0) }) else {
            throw Unreadable(path: "/proc/thread-self")
        }
        return try read("/proc/thread-self", tid: tid)
    }

    /// Every thread of process `pid`.
    public static func threads(of pid: pid_t) throws -> [ThreadInfo] {
        let folder = "/proc/\(pid)/task"
        return try FileManager.default.contentsOfDirectory(atPath: folder).compactMap { entry in
            guard let tid = Int(entry) else { return nil }
            return try? read("\(folder)/\(entry)", tid: tid)
        }.sorted { $0.tid < $1.tid }
    }

    /// Reads `stat`, `comm` and `schedstat` in `folder` (a `/proc/…/task/TID` or `/proc/thread-self`).
    static func read(_ folder: String, tid: Int) throws -> ThreadInfo {
        guard let stat = ProcStat(path: folder + "/stat"), let nice = stat[19], let policy = stat[41] else {
            throw Unreadable(path: folder + "/stat")
        }
        let comm = try String(contentsOfFile: folder + "/comm", encoding: .utf8)
        let schedstat = try String(contentsOfFile: folder + "/schedstat", encoding: .utf8)
        guard let cpu = schedstat.split(separator: " ").first.flatMap({ UInt64($0) }) else {
            throw Unreadable(path: folder + "/schedstat")
        }
        return ThreadInfo(tid: tid, name: comm.trimmingCharacters(in: .newlines), nice: nice, policy: policy,
                          cpuNanoseconds: cpu)
    }

    /// A `/proc` file that did not read as Linux writes it.
    public struct Unreadable: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "\(path) does not read as Linux writes it" }
    }
}
