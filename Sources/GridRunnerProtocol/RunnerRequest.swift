/// What a worker asks of a runner; the runner answers each request with exactly one `RunnerReply`.
public enum RunnerRequest: Sendable, Hashable {
    /// Open the plugin library at `path` and describe it (`.loaded` or `.loadFailed`).
    case load(path: String)
    /// Call `init` of the plugin loaded as number `plugin` (`.initialized`).
    case initialize(plugin: UInt32)
    /// Run `capability` of plugin number `plugin` on `input` (`.result`).
    case invoke(plugin: UInt32, capability: String, input: [UInt8])
    /// Open the shared library `library` (a soname or a path) for an FFI manifest and resolve every one of
    /// `symbols` in it (`.ffiLoaded` or `.loadFailed` with the loader's words).
    case ffiLoad(library: String, symbols: [String])
    /// Make the C call described by `plan`, the bytes of an encoded `FFICallPlan` (`.ffiResult`).
    case ffiCall(plan: [UInt8])

    /// The frame body.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        switch self {
        case .load(let path):
            writer.write(RunnerFrame.Kind.load.rawValue)
            writer.write(string: path)
        case .initialize(let plugin):
            writer.write(RunnerFrame.Kind.initialize.rawValue)
            writer.write(plugin)
        case .invoke(let plugin, let capability, let input):
            writer = ByteWriter(capacity: input.count + capability.utf8.count + 16)
            writer.write(RunnerFrame.Kind.invoke.rawValue)
            writer.write(plugin)
            writer.write(string: capability)
            writer.write(bytes: input)
        case .ffiLoad(let library, let symbols):
            writer.write(RunnerFrame.Kind.ffiLoad.rawValue)
            writer.write(string: library)
            writer.write(UInt32(truncatingIfNeeded: symbols.count))
            for symbol in symbols { writer.write(string: symbol) }
        case .ffiCall(let plan):
            writer = ByteWriter(capacity: plan.count + 8)
            writer.write(RunnerFrame.Kind.ffiCall.rawValue)
            writer.write(bytes: plan)
        }
        return writer.bytes
    }

    /// Decodes a frame body; throws when it is not a well-formed request.
    public init(decoding body: [UInt8]) throws(RunnerProtocolError) {
        var reader = ByteReader(body)
        let kind = try reader.readUInt8()
        switch RunnerFrame.Kind(rawValue: kind) {
        case .load?:
            self = .load(path: try reader.readString())
        case .initialize?:
            self = .initialize(plugin: try reader.readUInt32())
        case .invoke?:
            self = .invoke(plugin: try reader.readUInt32(), capability: try reader.readString(),
                           input: try reader.readBytes())
        case .ffiLoad?:
            let library = try reader.readString()
            let count = try reader.readUInt32()
            guard count <= 4096 else { throw .malformed("an FFI load names \(count) symbols, more than 4096") }
            var symbols: [String] = []
            for _ in 0..<count { symbols.append(try reader.readString()) }
            self = .ffiLoad(library: library, symbols: symbols)
        case .ffiCall?:
            self = .ffiCall(plan: try reader.readBytes())
        default:
            throw .malformed("\(kind) is not a request kind")
        }
        guard reader.isAtEnd else { throw .malformed("a request has bytes after its last field") }
    }
}
