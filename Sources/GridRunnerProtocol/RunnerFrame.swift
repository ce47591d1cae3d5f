/// The framing between a worker and its runner processes: a `UInt32` little-endian body length, then the body,
/// whose first byte is a `RunnerFrame.Kind`. docs/plugin-isolation.md describes every frame.
public enum RunnerFrame {
    /// The longest body either side accepts: the largest job input or output plus room for the fields around it.
    public static let maximumLength = 9 * 1024 * 1024

    /// The first byte of every body.
    public enum Kind: UInt8, Sendable {
        // Worker → runner.
        case load = 1
        case initialize = 4
        case invoke = 6
        case ffiLoad = 9
        case ffiCall = 11
        // Runner → worker.
        case loaded = 2
        case loadFailed = 3
        case initialized = 5
        case result = 7
        /// Written by the runner's fatal-signal handler (C, `grid_runner_support.c`) just before it dies.
        case dying = 8
        case ffiLoaded = 10
        case ffiResult = 12
    }

    /// The exit status of a runner whose channel broke while it was alive: it could not write a reply, or its
    /// watchdog found descriptor 3 closed under it (a plugin closed it). `grid_runner_support.c` uses it too.
    public static let channelLostStatus: Int32 = 86

    /// `body` with its length prefix, ready to write.
    public static func framed(_ body: [UInt8]) -> [UInt8] {
        var writer = ByteWriter(capacity: body.count + 4)
        writer.write(UInt32(body.count))
        var bytes = writer.bytes
        bytes.append(contentsOf: body)
        return bytes
    }

    /// The body length announced by a 4-byte header, checked against `maximumLength`.
    public static func bodyLength(header: [UInt8]) throws(RunnerProtocolError) -> Int {
        var reader = ByteReader(header)
        let length = Int(try reader.readUInt32())
        guard length <= maximumLength else { throw .oversized(length) }
        guard length > 0 else { throw .malformed("a frame has an empty body") }
        return length
    }
}
