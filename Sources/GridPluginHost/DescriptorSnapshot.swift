import CGridPluginABI

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A plain Swift copy of a C `grid_plugin` descriptor, taken before any check so the checks stay pure.
///
/// Strings are kept as raw bytes (nil for a NULL pointer); `PluginValidator` decides what is acceptable.
struct DescriptorSnapshot: Sendable, Equatable {
    /// One `grid_capability` entry.
    struct CapabilityEntry: Sendable, Equatable {
        var name: [UInt8]?
        var version: [UInt8]?
        var description: [UInt8]?
        var cost: UInt32
    }

    /// Longest string read from a descriptor; longer ones are cut here and refused by the validator.
    static let maximumStringLength = 4096
    /// Most capabilities one descriptor may declare; a larger count is not read at all.
    static let maximumCapabilityCount = 1024

    var abiVersion: UInt32
    var name: [UInt8]? = nil
    var version: [UInt8]? = nil
    var capabilityCount: Int = 0
    /// Nil when the array pointer is NULL or the count is above `maximumCapabilityCount`.
    var capabilities: [CapabilityEntry]? = nil
    var hasInvoke: Bool = false
    var hasFreeBuffer: Bool = false

    /// Copies the descriptor at `pointer`; only `abi_version` is read when it differs from this host's version.
    init(reading pointer: UnsafePointer<grid_plugin>) {
        let raw = pointer.pointee
        abiVersion = raw.abi_version
        guard abiVersion == GRID_PLUGIN_ABI_VERSION else { return }
        name = Self.bytes(raw.name)
        version = Self.bytes(raw.version)
        capabilityCount = raw.capability_count
        hasInvoke = raw.invoke != nil
        hasFreeBuffer = raw.free_buffer != nil
        if let array = raw.capabilities, capabilityCount <= Self.maximumCapabilityCount {
            capabilities = UnsafeBufferPointer(start: array, count: capabilityCount).map { entry in
                CapabilityEntry(
                    name: Self.bytes(entry.name),
                    version: Self.bytes(entry.version),
                    description: Self.bytes(entry.description),
                    cost: entry.cost
                )
            }
        } else if capabilityCount == 0 {
            capabilities = []
        }
    }

    init(
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
}
