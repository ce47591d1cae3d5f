import Foundation
import GridTestKit
import Testing

/// The `grid` binary as a person meets it: help, identities, mistakes, and the demo.
@Suite("Command line")
struct CommandLineTests {
    @Test("grid --help lists every command with a one-line summary")
    func help() async throws {
        let run = try await GridRun.run(["--help"])
        #expect(run.status == 0)
        for command in ["demo", "matchmaker", "worker", "submit", "status", "result", "jobs", "peers", "ledger",
                        "plugin", "keygen", "id"] {
            #expect(run.stdout.contains("  \(command) "), "missing \(command) in \(run.stdout)")
        }
    }

    @Test("keygen writes a 0600 identity that id then prints; keygen does not replace it without --force")
    func keygenAndID() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let home = folder.file("home")
        let made = try await GridRun.run(["keygen", "--home", home])
        #expect(made.status == 0)
        #expect(made.stdout.count == 64)
        let attributes = try FileManager.default.attributesOfItem(atPath: home + "/identity")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let id = try await GridRun.run(["id", "--home", home])
        #expect(id.stdout == made.stdout)
        let again = try await GridRun.run(["keygen", "--home", home])
        #expect(again.stdout.contains(made.stdout))
        let viaEnvironment = try await GridRun.run(["id"], environment: ["GRID_HOME": home])
        #expect(viaEnvironment.stdout == made.stdout)
    }

    @Test("a bad spec is refused with the file and field named, before any connection is made")
    func badSpec() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let spec = folder.file("bad.json")
        try Data(#"{"capability": "hash.sha256", "input": {"text": "x"}, "timeoutSecond": 5}"#.utf8)
            .write(to: URL(fileURLWithPath: spec))
        let run = try await GridRun.run(["submit", spec, "--home", folder.file("home"), "--matchmaker", "127.0.0.1:1"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("bad.json"))
        #expect(run.stderr.contains("'timeoutSecond'"))
    }

    @Test("bad flags get one clear line and a non-zero exit")
    func badFlags() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let listen = try await GridRun.run(["matchmaker", "--listen", "nowhere", "--home", folder.path])
        #expect(listen.status != 0)
        #expect(listen.stderr.contains("--listen"))
        let label = try await GridRun.run(["worker", "--plugins", folder.path, "--label", "novalue", "--home", folder.path])
        #expect(label.status != 0)
        #expect(label.stderr.contains("key=value"))
        let refused = try await GridRun.run(["jobs", "--home", folder.path, "--matchmaker", "127.0.0.1:1"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("127.0.0.1:1"))
    }

    @Test("a worker with no loadable plugin says why and stops")
    func workerWithoutPlugins() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let plugins = folder.file("plugins")
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
        try Data("not a library".utf8).write(to: URL(fileURLWithPath: plugins + "/libBroken.so"))
        let run = try await GridRun.run(["worker", "--plugins", plugins, "--home", folder.path,
                                         "--matchmaker", "127.0.0.1:1"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("libBroken.so"))
        #expect(run.stderr.contains("no plugin"))
    }

    @Test("SIGTERM stops a matchmaker and a worker gracefully, with exit code 0")
    func gracefulShutdown() async throws {
        try await TestGrid.run { grid in
            try await grid.startMatchmaker()
            let worker = try await grid.startWorker("a", plugins: [GridEndToEndTests.text])
            worker.process.signal(SIGTERM)
            #expect(await worker.process.wait() == 0, "\(grid.log("a.log"))")
            #expect(await grid.stopMatchmaker() == 0, "\(grid.log("matchmaker.log"))")
        }
    }

    @Test("grid demo runs a whole grid and exits 0")
    func demo() async throws {
        let run = try await GridRun.run(["demo", "--jobs", GridEndToEndTests.repositoryRoot + "/Jobs"])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("ledger verify: The ledger is valid"))
        for capability in ["hash.sha256", "primes.count", "text.rot13", "text.wordcount"] {
            #expect(run.stdout.contains(capability))
        }
        #expect(!run.stdout.contains("failed"))
        #expect(run.stdout.contains("waits: no connected worker offers capability 'image.thumbnail'"))
        #expect(run.stdout.contains("checks out offline"))
    }
}
