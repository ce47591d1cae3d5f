import Foundation
import GridTestKit
import Testing

@testable import GridPluginHost

/// Plugins in real `grid-runner` processes: crashes, hangs, memory, slots and loading, against the faults fixtures.
@Suite("Runner processes", .serialized)
struct RunnerPoolTests {
    static let faultsC = BuildProducts.path("libGridTestPluginFaultsC.so")
    static let faultsSwift = BuildProducts.path("libGridTestPluginFaultsSwift.so")

    static func configuration(memory: UInt64 = RunnerConfiguration.defaultMemoryLimit) -> RunnerConfiguration {
        var configuration = RunnerConfiguration(executable: BuildProducts.path("grid-runner"))
        configuration.memoryLimit = memory
        configuration.loadTimeout = .seconds(10)
        return configuration
    }

    /// Runs `body` with a pool of `slots` runners over `files`, shut down afterwards.
    static func withPool<T>(
        _ files: [String], slots: Int = 1, memory: UInt64 = RunnerConfiguration.defaultMemoryLimit,
        _ body: (RunnerPool, PluginLoadReport) async throws -> T
    ) async throws -> T {
        let (pool, report) = await RunnerPool.start(files: files, slots: slots,
                                                    configuration: configuration(memory: memory))
        do {
            let result = try await body(pool, report)
            await pool.shutdown()
            return result
        } catch {
            await pool.shutdown()
            throw error
        }
    }

    static func isGone(_ pid: Int32) -> Bool {
        kill(pid, 0) != 0 && errno == ESRCH
    }

    @Test("bundled plugins load in a runner exactly as in process, and run there")
    func bundledPluginsRunInRunners() async throws {
        let files = BundledPlugin.allCases.map(\.path)
        let inProcess = PluginLoader.loadFiles(files)
        try await Self.withPool(files) { pool, report in
            #expect(report.failures.isEmpty, "\(report.failures)")
            #expect(report.plugins.map(\.name) == inProcess.plugins.map(\.name))
            #expect(report.plugins.map(\.sha256) == inProcess.plugins.map(\.sha256))
            #expect(report.plugins.map(\.capabilities) == inProcess.plugins.map(\.capabilities))
            let hash = await pool.invoke(capability: "hash.sha256", input: Array("abc".utf8), timeout: .seconds(10))
            let digest = try hash.result.get().text
            #expect(digest == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
            let bad = await pool.invoke(capability: "primes.count", input: Array("x".utf8), timeout: .seconds(10))
            #expect(bad.result.failure?.kind == .badInput)
            let none = await pool.invoke(capability: "hash.md5", input: [], timeout: .seconds(10))
            #expect(none.result.failure?.kind == .unknownCapability)
            // The runner's CPU time for the call (getrusage around it) comes back with the result.
            let counted = await pool.invoke(capability: "primes.count", input: Array("5000000".utf8),
                                            timeout: .seconds(60))
            let primes = try counted.result.get().text
            #expect(primes == "348513")
            #expect(counted.cpu > .milliseconds(5), "\(counted.cpu)")
        }
    }

    @Test("a crashing call fails with how the plugin died, and the next call is served by a new runner",
          arguments: [
              ("faults.segv", "The plugin faults-c crashed with SIGSEGV while running faults.segv."),
              ("faults.abort", "The plugin faults-c crashed with SIGABRT while running faults.abort."),
              ("faults.trap", "The plugin faults-c crashed with SIGILL while running faults.trap."),
              ("faults.exit", "The plugin faults-c exited the runner with status 0 while running faults.exit."),
              ("faults.close", "The plugin faults-c closed its runner's connection to the worker; its runner was "
                  + "killed while running faults.close."),
              ("faults.alloc", "The plugin faults-c crashed with SIGSEGV after an allocation of 2 GiB failed: it "
                  + "reached the runner's memory limit of 1 GiB while running faults.alloc."),
              ("swiftfaults.fatal", "The plugin faults-swift crashed with SIGILL while running swiftfaults.fatal."),
          ])
    func crashesFailOneCall(capability: String, expected: String) async throws {
        try await Self.withPool([Self.faultsC, Self.faultsSwift]) { pool, report in
            #expect(report.failures.isEmpty, "\(report.failures)")
            let before = await pool.runnerPIDs
            let crashed = await pool.invoke(capability: capability, input: [], timeout: .seconds(20))
            let error = try #require(crashed.result.failure)
            #expect(error.kind == .crashed)
            #expect(error.description == expected)
            #expect(before.allSatisfy(Self.isGone))
            let after = await pool.runnerPIDs
            #expect(after.count == 1 && after != before)
            let echo = await pool.invoke(capability: "faults.echo", input: [1, 2, 3], timeout: .seconds(10))
            let echoed = try echo.result.get()
            #expect(echoed == [1, 2, 3])
        }
    }

    @Test("a call past its timeout gets its runner killed, and the slot is free only once that runner is gone")
    func timeoutKillsTheRunner() async throws {
        try await Self.withPool([Self.faultsC]) { pool, _ in
            let before = try #require(await pool.runnerPIDs.first)
            let start = ContinuousClock.now
            let hung = await pool.invoke(capability: "faults.hang", input: [], timeout: .milliseconds(300))
            #expect(ContinuousClock.now - start >= .milliseconds(300))
            let error = try #require(hung.result.failure)
            #expect(error.kind == .timedOut)
            #expect(error.description
                == "The capability faults.hang of plugin faults-c did not finish within 0.3 s; its runner was killed.")
            #expect(Self.isGone(before))
            let echo = await pool.invoke(capability: "faults.echo", input: [7], timeout: .seconds(10))
            let echoed = try echo.result.get()
            #expect(echoed == [7])
        }
    }

    @Test("a pool with N slots runs at most N calls at once, and does run N")
    func slotsBoundConcurrency() async throws {
        let folder = try TemporaryFolder("grid-slots")
        defer { folder.remove() }
        let marks = folder.file("marks")
        try await Self.withPool([Self.faultsC], slots: 2) { pool, _ in
            #expect(await pool.runnerCount == 2)
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        _ = await pool.invoke(capability: "faults.slow", input: Array(marks.utf8), timeout: .seconds(20))
                    }
                }
            }
            #expect(await pool.runnerCount == 2)
        }
        let lines = try String(contentsOfFile: marks, encoding: .utf8).split(separator: "\n")
        var running = 0
        var most = 0
        for line in lines {
            running += line == "+" ? 1 : -1
            most = max(most, running)
        }
        #expect(lines.count == 16)
        #expect(most == 2)
    }

    @Test("what a plugin allocates lives in its runner process, not in the worker")
    func pluginMemoryStaysInTheRunner() async throws {
        try await Self.withPool([Self.faultsC]) { pool, _ in
            let runner = try #require(await pool.runnerPIDs.first)
            let before = try #require(Self.residentBytes(of: runner))
            for _ in 0..<200 {
                let leaked = await pool.invoke(capability: "faults.leak", input: [], timeout: .seconds(10))
                #expect(leaked.result.failure == nil)
            }
            // The runner now holds the 200 MiB the plugin leaked (this test process, shared with other tests, is
            // measured end to end in the plugin benchmarks instead).
            let after = try #require(Self.residentBytes(of: runner))
            #expect(after - before >= 190 << 20, "runner RSS \(before) → \(after)")
            #expect(await pool.runnerPIDs == [runner])
        }
    }

    @Test("an error message of invalid UTF-8 is repaired and cut to at most 4,096 bytes")
    func longInvalidMessagesAreCut() async throws {
        try await Self.withPool([Self.faultsC]) { pool, _ in
            let failed = await pool.invoke(capability: "faults.badutf8", input: [], timeout: .seconds(10))
            let error = try #require(failed.result.failure)
            #expect(error.kind == .failed)
            #expect(error.message.utf8.count <= 4096)
            #expect(error.message.hasPrefix("\u{FFFD}\u{FFFD}"))
            #expect(error.message.hasSuffix("…"))
        }
    }

    @Test("a plugin that crashes while loading is refused with the reason, and the others still load")
    func crashWhileLoadingIsRefused() async throws {
        let folder = try TemporaryFolder("grid-load")
        defer { folder.remove() }
        let crashing = try compileC(fixturePlugin(name: "\"initcrash\"", capabilities: [("ic.echo", "1.0.0")],
                                                  initResult: "(*(volatile int *)0 = 1, 0)"),
                                    named: "libinitcrash.so", in: folder.path)
        let notALibrary = folder.file("libnot.so")
        try "not a library".write(toFile: notALibrary, atomically: true, encoding: .utf8)
        try await Self.withPool([crashing, notALibrary, Self.faultsC, BundledPlugin.rot13.path]) { pool, report in
            #expect(report.plugins.map(\.name) == ["faults-c", "rot13"])
            #expect(report.failures.count == 2)
            #expect(report.failures.first?.description
                == "The plugin \(crashing) was not loaded: the runner loading it crashed with SIGSEGV.")
            #expect(report.failures.last?.kind == .openFailed)
            let rotated = await pool.invoke(capability: "text.rot13", input: Array("abc".utf8), timeout: .seconds(10))
            let text = try rotated.result.get().text
            #expect(text == "nop")
        }
    }

    @Test("without a runner executable every file is refused with the OS's reason")
    func missingRunnerIsExplained() async throws {
        var configuration = Self.configuration()
        configuration.executable = "/nonexistent/grid-runner"
        let (pool, report) = await RunnerPool.start(files: [Self.faultsC], slots: 1, configuration: configuration)
        await pool.shutdown()
        #expect(report.plugins.isEmpty)
        #expect(report.failures.first?.description == "The plugin \(Self.faultsC) was not loaded: no runner could be "
            + "started to load it: /nonexistent/grid-runner could not be started: "
            + "No such file or directory.")
    }

    /// The resident set size of process `pid`, from /proc.
    static func residentBytes(of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return nil }
        return kilobytes * 1024
    }
}

extension Result {
    /// The error, when this is a failure.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
