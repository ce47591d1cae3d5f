import Foundation
import GridTestKit
import Testing

@testable import GridPluginHost

/// `grid worker --in-process`: calls in this process, answered as timed out at the deadline.
struct InProcessHostTests {
    static func host() throws -> InProcessHost {
        let loaded = PluginLoader.loadFiles([RunnerPoolTests.faultsC])
        return InProcessHost(registry: try PluginRegistry(plugins: loaded.plugins))
    }

    @Test("a call that ends in time answers with its output, many times over")
    func callsAnswer() async throws {
        let host = try Self.host()
        for n in 0..<200 {
            let invocation = await host.invoke(capability: "faults.echo", input: Array("ping \(n)".utf8),
                                               timeout: .seconds(30))
            #expect(try invocation.result.get().text == "ping \(n)")
        }
    }

    @Test("a call past its timeout is answered as timed out, its thread left running")
    func callPastTimeout() async throws {
        let folder = try TemporaryFolder("in-process-timeout")
        defer { folder.remove() }
        let marks = folder.file("marks")
        let invocation = try await Self.host().invoke(capability: "faults.slow", input: Array(marks.utf8),
                                                  timeout: .milliseconds(5))
        let failure = try #require(invocation.result.failure)
        #expect(failure.kind == .timedOut)
        #expect(failure.description.hasSuffix("did not finish within 0.005 s."), "\(failure)")
        // The abandoned call still finishes on its thread.
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline,
              (try? String(contentsOfFile: marks, encoding: .utf8)) != "+\n-\n" {
            await Task.yield()
        }
        #expect(try String(contentsOfFile: marks, encoding: .utf8) == "+\n-\n")
    }
}
