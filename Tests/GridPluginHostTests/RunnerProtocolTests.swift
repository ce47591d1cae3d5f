import GridRunnerProtocol
import Testing

@testable import GridPluginHost

/// The frames between worker and runner, and the wording of how a runner died: pure, tested directly.
struct RunnerProtocolTests {
    @Test("every request round-trips", arguments: [
        RunnerRequest.load(path: "/plugins/libx.so"),
        .initialize(plugin: 7),
        .invoke(plugin: 2, capability: "hash.sha256", input: [0, 1, 255]),
        .invoke(plugin: 0, capability: "x.y", input: []),
    ])
    func requestsRoundTrip(request: RunnerRequest) throws {
        #expect(try RunnerRequest(decoding: request.encoded()) == request)
    }

    @Test("every reply round-trips")
    func repliesRoundTrip() throws {
        let snapshot = DescriptorSnapshot(
            abiVersion: 2, name: Array("x".utf8), version: nil,
            capabilities: [.init(name: Array("x.y".utf8), version: Array("1.0.0".utf8), description: nil, cost: 3),
                           .init(name: Array("x.z".utf8), version: nil, description: nil, cost: 0, flags: 1)])
        let replies: [RunnerReply] = [
            .loaded(plugin: 3, snapshot),
            .loadFailed(.openFailed, reason: "no such file"),
            .initialized(code: -1),
            .result(InvocationReport(resultCode: 0, output: [1, 2], lengthWithoutData: true, cpuMicroseconds: 99,
                                     failedAllocation: 1 << 31)),
            .dying(signal: 11, failedAllocation: 0),
        ]
        for reply in replies {
            #expect(try RunnerReply(decoding: reply.encoded()) == reply)
        }
    }

    @Test("the dying frame written by the C signal handler decodes as the Swift side expects")
    func dyingFrameLayout() throws {
        // u32 length 13, kind 8, i32 signal 6, u64 failed allocation 4096, little-endian (grid_runner_support.c).
        let frame: [UInt8] = [13, 0, 0, 0, 8, 6, 0, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0]
        #expect(try RunnerFrame.bodyLength(header: Array(frame[0..<4])) == 13)
        #expect(try RunnerReply(decoding: Array(frame[4...])) == .dying(signal: 6, failedAllocation: 4096))
    }

    @Test("truncated, oversized and unknown frames are refused with a reason")
    func badFramesAreRefused() {
        #expect(throws: RunnerProtocolError.truncated) { try RunnerRequest(decoding: [6, 1, 0]) }
        #expect(throws: RunnerProtocolError.self) { try RunnerReply(decoding: [99]) }
        #expect(throws: RunnerProtocolError.oversized(RunnerFrame.maximumLength + 1)) {
            try RunnerFrame.bodyLength(header: ByteWriterHelper.header(RunnerFrame.maximumLength + 1))
        }
        #expect(throws: RunnerProtocolError.self) { try RunnerRequest(decoding: RunnerRequest.initialize(plugin: 1).encoded() + [0]) }
    }

    @Test("how a runner died, in words", arguments: [
        (RunnerDeath(exit: .signaled(11), reportedSignal: 11, memoryLimit: 1 << 30), "crashed with SIGSEGV"),
        (RunnerDeath(exit: .signaled(9), reportedSignal: 6, memoryLimit: 1 << 30), "crashed with SIGABRT"),
        (RunnerDeath(exit: .signaled(6), reportedSignal: 6, failedAllocation: 3 << 29, memoryLimit: 1 << 30),
         "crashed with SIGABRT after an allocation of 1536 MiB failed: it reached the runner's memory limit of 1 GiB"),
        (RunnerDeath(exit: .exited(3), memoryLimit: 0), "exited the runner with status 3"),
        (RunnerDeath(exit: .signaled(9), memoryLimit: 0),
         "was killed by SIGKILL from outside the worker (the kernel's out-of-memory killer does this)"),
        (RunnerDeath(exit: .signaled(9), closedChannel: true, memoryLimit: 0),
         "closed its runner's connection to the worker; its runner was killed"),
        (RunnerDeath(exit: .signaled(9), protocolProblem: "a runner frame ended early", memoryLimit: 0),
         "broke the runner protocol (a runner frame ended early); its runner was killed"),
    ])
    func deathClauses(death: RunnerDeath, clause: String) {
        #expect(death.clause == clause)
    }

    @Test("plugin messages: invalid UTF-8 repaired, then cut to 4,096 bytes at a character boundary")
    func messagesAreRepairedThenCut() {
        #expect(PluginMessage.text(Array("  fine \n".utf8)) == "fine")
        let invalid = PluginMessage.text([UInt8](repeating: 0xff, count: 10_000))
        #expect(invalid.utf8.count <= 4096)
        #expect(invalid.utf8.count > 4090)
        let accents = PluginMessage.text(Array(String(repeating: "é", count: 3000).utf8))
        #expect(accents.utf8.count <= 4096)
        #expect(accents.hasSuffix("…"))
        let exact = String(repeating: "a", count: 4096)
        #expect(PluginMessage.text(Array(exact.utf8)) == exact)
    }
}

/// Builds raw frame headers for tests.
enum ByteWriterHelper {
    static func header(_ length: Int) -> [UInt8] {
        var writer = ByteWriter()
        writer.write(UInt32(length))
        return writer.bytes
    }
}
