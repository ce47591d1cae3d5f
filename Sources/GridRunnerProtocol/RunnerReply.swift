/// What a runner answers, plus the one frame it sends unasked: `.dying`, from its fatal-signal handler.
public enum RunnerReply: Sendable, Hashable {
    /// Why a library could not be opened as a plugin.
    public enum LoadFailure: UInt8, Sendable {
        case openFailed = 1
        case missingEntry = 2
        case nullDescriptor = 3
        /// An FFI manifest's library opened but does not export a symbol the manifest declares.
        case missingSymbol = 4
    }

    /// The library opened and its descriptor was copied; it is plugin number `plugin` from now on.
    case loaded(plugin: UInt32, DescriptorSnapshot)
    /// The library could not be used; `reason` is the dynamic loader's own words where it gave any.
    case loadFailed(LoadFailure, reason: String)
    /// The plugin's `init` returned `code`.
    case initialized(code: Int32)
    /// One invocation ended.
    case result(InvocationReport)
    /// The runner caught the fatal `signal` and is about to die of it.
    case dying(signal: Int32, failedAllocation: UInt64)
    /// The FFI manifest's library is open in the runner and every symbol it declares was found.
    case ffiLoaded
    /// One FFI call ended: `reply` is what `FFIInvoker.serve` answered (an encoded `FFIReply`), with the CPU time
    /// of the call and the largest allocation that failed during it.
    case ffiResult(reply: [UInt8], cpuMicroseconds: UInt64, failedAllocation: UInt64)

    /// The frame body.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        switch self {
        case .loaded(let plugin, let snapshot):
            writer.write(RunnerFrame.Kind.loaded.rawValue)
            writer.write(plugin)
            snapshot.write(to: &writer)
        case .loadFailed(let failure, let reason):
            writer.write(RunnerFrame.Kind.loadFailed.rawValue)
            writer.write(failure.rawValue)
            writer.write(string: reason)
        case .initialized(let code):
            writer.write(RunnerFrame.Kind.initialized.rawValue)
            writer.write(code)
        case .result(let report):
            writer = ByteWriter(capacity: report.output.count + 32)
            writer.write(RunnerFrame.Kind.result.rawValue)
            report.write(to: &writer)
        case .dying(let signal, let failedAllocation):
            writer.write(RunnerFrame.Kind.dying.rawValue)
            writer.write(signal)
            writer.write(failedAllocation)
        case .ffiLoaded:
            writer.write(RunnerFrame.Kind.ffiLoaded.rawValue)
        case .ffiResult(let reply, let cpuMicroseconds, let failedAllocation):
            writer = ByteWriter(capacity: reply.count + 32)
            writer.write(RunnerFrame.Kind.ffiResult.rawValue)
            writer.write(cpuMicroseconds)
            writer.write(failedAllocation)
            writer.write(bytes: reply)
        }
        return writer.bytes
    }

    /// Decodes a frame body; throws when it is not a well-formed reply.
    public init(decoding body: [UInt8]) throws(RunnerProtocolError) {
        var reader = ByteReader(body)
        let kind = try reader.readUInt8()
        switch RunnerFrame.Kind(rawValue: kind) {
        case .loaded?:
            self = .loaded(plugin: try reader.readUInt32(), try DescriptorSnapshot(reading: &reader))
        case .loadFailed?:
            let raw = try reader.readUInt8()
            guard let failure = LoadFailure(rawValue: raw) else { throw .malformed("\(raw) is not a load failure") }
            self = .loadFailed(failure, reason: try reader.readString())
        case .initialized?:
            self = .initialized(code: try reader.readInt32())
        case .result?:
            self = .result(try InvocationReport(reading: &reader))
        case .dying?:
            self = .dying(signal: try reader.readInt32(), failedAllocation: try reader.readUInt64())
        case .ffiLoaded?:
            self = .ffiLoaded
        case .ffiResult?:
            let cpu = try reader.readUInt64()
            let failed = try reader.readUInt64()
            self = .ffiResult(reply: try reader.readBytes(), cpuMicroseconds: cpu, failedAllocation: failed)
        default:
            throw .malformed("\(kind) is not a reply kind")
        }
        guard reader.isAtEnd else { throw .malformed("a reply has bytes after its last field") }
    }
}
