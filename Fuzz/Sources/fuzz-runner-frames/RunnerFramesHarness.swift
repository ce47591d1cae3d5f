import FuzzSupport
import GridRunnerProtocol

/// Fuzzes the frames between a worker and its runner: the length header, requests (what a runner reads) and replies
/// (what a worker reads from a process running plugin code it does not trust). What decodes must decode again to
/// the same value after encoding.
enum RunnerFramesHarness {
    static func run(_ input: inout FuzzInput) {
        let mode = input.byte() % 3
        let bytes = input.rest()
        switch mode {
        case 0:
            guard let length = try? RunnerFrame.bodyLength(header: bytes) else { return }
            fuzzCheck(length >= 0 && length <= RunnerFrame.maximumLength, "a frame length of \(length) passed")
        case 1:
            guard let request = try? RunnerRequest(decoding: bytes) else { return }
            fuzzCheck((try? RunnerRequest(decoding: request.encoded())) == request, "a request changed in a round trip")
        default:
            guard let reply = try? RunnerReply(decoding: bytes) else { return }
            fuzzCheck((try? RunnerReply(decoding: reply.encoded())) == reply, "a reply changed in a round trip")
        }
    }

    static func seeds() -> [String: [UInt8]] {
        let snapshot = DescriptorSnapshot(
            abiVersion: 1, name: utf8("hash"), version: utf8("1.2.0"),
            capabilities: [.init(name: utf8("hash.sha256"), version: utf8("1.0.0"), description: utf8("SHA-256"),
                                 cost: 2),
                           .init(name: nil, version: nil, description: nil, cost: 0)])
        let requests: [String: RunnerRequest] = [
            "request-load": .load(path: "/tmp/libGridPluginHash.so"),
            "request-initialize": .initialize(plugin: 3),
            "request-invoke": .invoke(plugin: 0, capability: "hash.sha256", input: [0, 1, 2, 0xff]),
        ]
        let replies: [String: RunnerReply] = [
            "reply-loaded": .loaded(plugin: 1, snapshot),
            "reply-loaded-null": .loaded(plugin: 2, DescriptorSnapshot(abiVersion: 9, name: nil, version: nil,
                                                                       capabilities: nil, hasInvoke: false)),
            "reply-load-failed": .loadFailed(.openFailed, reason: "cannot open shared object file"),
            "reply-initialized": .initialized(code: -1),
            "reply-result": .result(InvocationReport(resultCode: 0, output: utf8("digest"), cpuMicroseconds: 1234)),
            "reply-result-nodata": .result(InvocationReport(resultCode: 2, output: [], lengthWithoutData: true,
                                                            cpuMicroseconds: 0, failedAllocation: 1 << 40)),
            "reply-dying": .dying(signal: 11, failedAllocation: 0),
        ]
        var seeds = requests.mapValues { [1] + $0.encoded() }
        seeds.merge(replies.mapValues { [2] + $0.encoded() }) { first, _ in first }
        seeds["header"] = [0] + Array(RunnerFrame.framed(utf8("body")).prefix(4))
        seeds["header-huge"] = [0, 0xff, 0xff, 0xff, 0xff]
        return seeds
    }
}
