import Foundation

/// Network namespaces made for one test, joined by veth pairs, so grid processes can run as if on separate hosts
/// and their links can be cut (`ip link set DEV down`) and restored.
///
/// Every namespace is named `pg<pid>-<name>` after the test process, so concurrent runs never collide, and
/// `remove()` deletes them all (with their veth pairs). Namespaces left by a test process that died are deleted
/// when the next lab opens. Addresses are whatever the test gives `link` (a private range such as 10.77.0.0/16);
/// traffic on them never leaves the namespaces, which have no route to anywhere else.
public final class NetworkLab: @unchecked Sendable {
    /// The `ip` command (iproute2), or nil when it is not installed.
    public static let ip: String? = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]
        .first { FileManager.default.isExecutableFile(atPath: $0) } ?? GridRun.program("ip")

    /// Why namespaces certainly cannot be made here (not root, no `ip`), or nil when it is worth trying.
    public static var unavailableReason: String? {
        guard geteuid() == 0 else { return "network namespaces need root (this test runs as uid \(geteuid()))" }
        guard ip != nil else { return "the ip command (iproute2) is not installed; `make setup` installs it" }
        return nil
    }

    private static let ownPrefix = "pg\(getpid())-"
    private let lock = NSLock()
    private var made: [String] = []

    private init() {}

    /// Opens a lab, or returns why namespaces cannot be made here (the reason `ip netns add` gave, say).
    public static func open() async -> Result<NetworkLab, TestGridError> {
        if let reason = unavailableReason { return .failure(TestGridError(reason)) }
        await removeLeftovers()
        let lab = NetworkLab()
        do {
            _ = try await lab.namespace("probe")
            await lab.remove()
            return .success(lab)
        } catch {
            await lab.remove()
            return .failure(TestGridError("cannot create a network namespace: \(error)"))
        }
    }

    /// Runs `body` with a fresh lab and removes every namespace afterwards, whether `body` threw or not.
    public func run(_ body: (NetworkLab) async throws -> Void) async throws {
        do {
            try await body(self)
        } catch {
            await remove()
            throw error
        }
        await remove()
    }

    /// Creates namespace `name` (its full name is returned) with its loopback up.
    public func namespace(_ name: String) async throws -> String {
        let full = Self.ownPrefix + name
        try await Self.ip(["netns", "add", full])
        lock.withLock { made.append(full) }
        try await Self.ip(["-n", full, "link", "set", "lo", "up"])
        return full
    }

    /// Joins two namespaces by a veth pair: device `aDevice` in `a` with `aAddress` (CIDR, such as 10.77.1.1/24),
    /// `bDevice` in `b` with `bAddress`; both ends up.
    public func link(_ a: String, _ aDevice: String, _ aAddress: String,
                     to b: String, _ bDevice: String, _ bAddress: String) async throws {
        try await Self.ip(["-n", a, "link", "add", aDevice, "type", "veth", "peer", "name", bDevice, "netns", b])
        try await Self.ip(["-n", a, "addr", "add", aAddress, "dev", aDevice])
        try await Self.ip(["-n", b, "addr", "add", bAddress, "dev", bDevice])
        try await Self.ip(["-n", a, "link", "set", aDevice, "up"])
        try await Self.ip(["-n", b, "link", "set", bDevice, "up"])
    }

    /// Takes a device down (cutting its link, as a pulled cable would) or up again.
    public func setLink(_ namespace: String, _ device: String, up: Bool) async throws {
        try await Self.ip(["-n", namespace, "link", "set", device, up ? "up" : "down"])
    }

    /// The program and arguments that run `program arguments…` inside `namespace`.
    public func inside(_ namespace: String, _ program: String, _ arguments: [String]) -> (String, [String]) {
        (Self.ip ?? "ip", ["netns", "exec", namespace, program] + arguments)
    }

    /// Deletes every namespace this lab made, and with them their veth pairs.
    public func remove() async {
        let all = lock.withLock {
            defer { made.removeAll() }
            return made
        }
        for name in all.reversed() {
            _ = try? await Self.ip(["netns", "del", name])
        }
    }

    /// Deletes namespaces named by this scheme whose test process is gone.
    private static func removeLeftovers() async {
        guard let list = try? await ip(["netns", "list"]) else { return }
        for line in list.split(separator: "\n") {
            let name = String(line.split(separator: " ").first ?? "")
            guard name.hasPrefix("pg"), let dash = name.firstIndex(of: "-"),
                  let pid = Int32(name[name.index(name.startIndex, offsetBy: 2)..<dash]),
                  pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            _ = try? await ip(["netns", "del", name])
        }
    }

    /// Runs `ip arguments…`, returning its stdout; a non-zero exit throws with what it printed on stderr.
    @discardableResult
    private static func ip(_ arguments: [String]) async throws -> String {
        guard let ip else { throw TestGridError("the ip command (iproute2) is not installed") }
        let run = try await GridRun.run(program: ip, arguments, limit: 30)
        guard run.status == 0 else {
            throw TestGridError("`ip \(arguments.joined(separator: " "))` exited with \(run.status): "
                                + run.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return run.stdout
    }
}
