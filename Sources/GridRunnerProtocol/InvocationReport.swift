/// What a runner reports after one `invoke`: the plugin's result code and buffer, and what the call cost.
public struct InvocationReport: Sendable, Hashable {
    /// The ABI result code `invoke` returned.
    public var resultCode: Int32
    /// The output (on GRID_PLUGIN_OK) or the error message (otherwise), as the plugin wrote it; an error message
    /// is cut by the runner to `maximumMessageBytes`.
    public var output: [UInt8]
    /// True when the plugin set a non-zero length with a NULL data pointer (an ABI violation).
    public var lengthWithoutData: Bool
    /// User plus system CPU time of the runner during the call, from `getrusage`.
    public var cpuMicroseconds: UInt64
    /// The size of the largest allocation that failed during the call (0 when none did), as seen by the runner's
    /// allocator hooks: with a memory limit in force, a failed allocation means the limit was reached.
    public var failedAllocation: UInt64

    /// The most bytes of an error message a runner sends; the host cuts further, to 4,096 bytes of text.
    public static let maximumMessageBytes = 16 * 1024

    public init(resultCode: Int32, output: [UInt8], lengthWithoutData: Bool = false, cpuMicroseconds: UInt64,
                failedAllocation: UInt64 = 0) {
        self.resultCode = resultCode
        self.output = output
        self.lengthWithoutData = lengthWithoutData
        self.cpuMicroseconds = cpuMicroseconds
        self.failedAllocation = failedAllocation
    }

    func write(to writer: inout ByteWriter) {
        writer.write(resultCode)
        writer.write(lengthWithoutData)
        writer.write(cpuMicroseconds)
        writer.write(failedAllocation)
        writer.write(bytes: output)
    }

    init(reading reader: inout ByteReader) throws(RunnerProtocolError) {
        resultCode = try reader.readInt32()
        lengthWithoutData = try reader.readBool()
        cpuMicroseconds = try reader.readUInt64()
        failedAllocation = try reader.readUInt64()
        output = try reader.readBytes()
    }
}
