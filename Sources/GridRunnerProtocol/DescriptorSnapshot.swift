import CGridPluginABI

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A plain Swift copy of a C `grid_plugin` descriptor, taken before any check so the checks stay pure.
///
/// A runner takes it right after `dlopen` and sends it to the worker (`RunnerReply.loaded`), which validates it.
///
/// Strings are kept as raw bytes (nil for a NULL pointer); `PluginValidator` decides what is acceptable.
public struct DescriptorSnapshot: Sendable, Hashable {
    /// One `grid_capability` entry.
    public struct CapabilityEntry: Sendable, Hashable {
        public var name: [UInt8]?
        public var version: [UInt8]?
        public var description: [UInt8]?
        public var cost: UInt32
        /// `GRID_CAPABILITY_*` bits; always 0 for a version 1 descriptor, whose entries have no flags.
        public var flags: UInt32

        public init(name: [UInt8]?, version: [UInt8]?, description: [UInt8]?, cost: UInt32, flags: UInt32 = 0) {
            self.name = name
            self.version = version
            self.description = description
            self.cost = cost
            self.flags = flags
        }
    }

    /// The ABI versions a host loads: every version from the oldest still supported to the current one.
    public static let supportedABIVersions: ClosedRange<UInt32> =
        GRID_PLUGIN_ABI_VERSION_OLDEST...GRID_PLUGIN_ABI_VERSION

    /// Longest string read from a descriptor; longer ones are cut here and refused by the validator.
    public static let maximumStringLength = 4096
    /// Most capabilities one descriptor may declare; a larger count is not read at all.
    public static let maximumCapabilityCount = 1024

    public var abiVersion: UInt32
    public var name: [UInt8]? = nil
    public var version: [UInt8]? = nil
    public var capabilityCount: Int = 0
    /// Nil when the array pointer is NULL or the count is above `maximumCapabilityCount`.
    public var capabilities: [CapabilityEntry]? = nil
    public var hasInvoke: Bool = false
    public var hasFreeBuffer: Bool = false

    /// Copies the descriptor at `pointer`; only `abi_version` is read when this host does not load that version.
    ///
    /// A version 1 descriptor's capabilities are read with the version 1 layout (`grid_capability_v1`, no flags):
    /// its bytes past `cost` are padding, never flags.
    public init(reading pointer: UnsafePointer<grid_plugin>) {
        let raw = pointer.pointee
        abiVersion = raw.abi_version
        guard Self.supportedABIVersions.contains(abiVersion) else { return }
        name = Self.bytes(raw.name)
        version = Self.bytes(raw.version)
        capabilityCount = raw.capability_count
        hasInvoke = raw.invoke != nil
        hasFreeBuffer = raw.free_buffer != nil
        if let array = raw.capabilities, capabilityCount <= Self.maximumCapabilityCount {
            if abiVersion == GRID_PLUGIN_ABI_VERSION_OLDEST {
                let entries = UnsafeRawPointer(array).assumingMemoryBound(to: grid_capability_v1.self)
                capabilities = UnsafeBufferPointer(start: entries, count: capabilityCount).map { entry in
                    CapabilityEntry(name: Self.bytes(entry.name), version: Self.bytes(entry.version),
                                    description: Self.bytes(entry.description), cost: entry.cost)
                }
            } else {
                capabilities = UnsafeBufferPointer(start: array, count: capabilityCount).map { entry in
                    CapabilityEntry(name: Self.bytes(entry.name), version: Self.bytes(entry.version),
                                    description: Self.bytes(entry.description), cost: entry.cost, flags: entry.flags)
                }
            }
        } else if capabilityCount == 0 {
            capabilities = []
        }
    }

    public init(
        abiVersion: UInt32,
        name: [UInt8]?,
        version: [UInt8]?,
        capabilities: [CapabilityEntry]?,
        hasInvoke: Bool = true,
        hasFreeBuffer: Bool = true
    ) {
        self.abiVersion = abiVersion
        self.name = name
        self.version = version
        self.capabilityCount = capabilities?.count ?? 0
        self.capabilities = capabilities
        self.hasInvoke = hasInvoke
        self.hasFreeBuffer = hasFreeBuffer
    }

    /// The bytes of a C string up to its NUL, at most `maximumStringLength + 1` of them; nil for NULL.
    private static func bytes(_ string: UnsafePointer<CChar>?) -> [UInt8]? {
        guard let string else { return nil }
        let length = strnlen(string, maximumStringLength + 1)
        return string.withMemoryRebound(to: UInt8.self, capacity: length) {
            Array(UnsafeBufferPointer(start: $0, count: length))
        }
    }

    func write(to writer: inout ByteWriter) {
        writer.write(abiVersion)
        writer.write(optionalBytes: name)
        writer.write(optionalBytes: version)
        writer.write(UInt64(capabilityCount))
        writer.write(hasInvoke)
        writer.write(hasFreeBuffer)
        writer.write(capabilities != nil)
        for entry in capabilities ?? [] {
            writer.write(optionalBytes: entry.name)
            writer.write(optionalBytes: entry.version)
            writer.write(optionalBytes: entry.description)
            writer.write(entry.cost)
            writer.write(entry.flags)
        }
    }

    init(reading reader: inout ByteReader) throws(RunnerProtocolError) {
        abiVersion = try reader.readUInt32()
        name = try reader.readOptionalBytes()
        version = try reader.readOptionalBytes()
        let count = try reader.readUInt64()
        guard count <= UInt64(Int.max) else { throw .malformed("a capability count is out of range") }
        capabilityCount = Int(count)
        hasInvoke = try reader.readBool()
        hasFreeBuffer = try reader.readBool()
        if try reader.readBool() {
            guard capabilityCount <= Self.maximumCapabilityCount else {
                throw .malformed("a descriptor lists more than \(Self.maximumCapabilityCount) capabilities")
            }
            var entries: [CapabilityEntry] = []
            for _ in 0..<capabilityCount {
                entries.append(CapabilityEntry(
                    name: try reader.readOptionalBytes(), version: try reader.readOptionalBytes(),
                    description: try reader.readOptionalBytes(), cost: try reader.readUInt32(),
                    flags: try reader.readUInt32()))
            }
            capabilities = entries
        }
    }
}
