import CGridPluginABI
import GridRunnerProtocol
import GridCore

/// The checks a descriptor must pass before its plugin is used; pure, so every rule is tested directly.
enum PluginValidator {
    /// A descriptor that passed every check.
    struct Validated: Sendable, Equatable {
        var name: String
        var version: SemanticVersion
        var capabilities: [PluginCapability]
    }

    /// Checks `snapshot` read from the file at `path`; throws the first problem found.
    static func validate(_ snapshot: DescriptorSnapshot, path: String) throws(PluginLoadFailure) -> Validated {
        guard DescriptorSnapshot.supportedABIVersions.contains(snapshot.abiVersion) else {
            throw .abiMismatch(path, found: snapshot.abiVersion, expected: DescriptorSnapshot.supportedABIVersions)
        }
        let name = try text(snapshot.name, "its name", path: path)
        guard isPluginName(name) else {
            throw .invalidDescriptor(
                path,
                "its name \"\(printable(name))\" is not 1 to 64 lowercase letters, digits, '-' or '_' "
                    + "starting with a letter or digit"
            )
        }
        let version = try semanticVersion(snapshot.version, "its version", path: path)
        guard snapshot.hasInvoke else { throw .invalidDescriptor(path, "its invoke function is NULL") }
        guard snapshot.hasFreeBuffer else { throw .invalidDescriptor(path, "its free_buffer function is NULL") }
        guard snapshot.capabilityCount <= DescriptorSnapshot.maximumCapabilityCount else {
            throw .invalidDescriptor(
                path,
                "it declares \(snapshot.capabilityCount) capabilities, more than the "
                    + "\(DescriptorSnapshot.maximumCapabilityCount) allowed"
            )
        }
        guard let entries = snapshot.capabilities else {
            throw .invalidDescriptor(
                path,
                "it declares \(snapshot.capabilityCount) capabilities but its capabilities array is NULL"
            )
        }
        guard !entries.isEmpty else { throw .invalidDescriptor(path, "it declares no capabilities") }

        var capabilities: [PluginCapability] = []
        var seen: Set<String> = []
        for (index, entry) in entries.enumerated() {
            let capabilityName = try text(entry.name, "the name of capability #\(index)", path: path)
            guard isCapabilityName(capabilityName) else {
                throw .invalidDescriptor(
                    path,
                    "the capability name \"\(printable(capabilityName))\" is not lowercase and dotted like "
                        + "hash.sha256 (segments of a-z, 0-9, '-' or '_', at most 128 characters)"
                )
            }
            guard seen.insert(capabilityName).inserted else {
                throw .invalidDescriptor(path, "it declares the capability \(capabilityName) twice")
            }
            let capabilityVersion = try semanticVersion(
                entry.version,
                "the version of capability \(capabilityName)",
                path: path
            )
            let description = try text(
                entry.description,
                "the description of capability \(capabilityName)",
                path: path,
                allowEmpty: true
            )
            let unknownFlags = entry.flags & ~GRID_CAPABILITY_KNOWN_FLAGS
            guard unknownFlags == 0 else {
                throw .invalidDescriptor(
                    path,
                    "the capability \(capabilityName) sets flag bits 0x\(String(unknownFlags, radix: 16)) that this "
                        + "host does not know (it knows GRID_CAPABILITY_NONDETERMINISTIC, 0x1)"
                )
            }
            capabilities.append(
                PluginCapability(
                    name: capabilityName,
                    version: capabilityVersion,
                    description: description,
                    cost: entry.cost,
                    deterministic: entry.flags & GRID_CAPABILITY_NONDETERMINISTIC == 0
                )
            )
        }
        return Validated(name: name, version: version, capabilities: capabilities)
    }

    /// Whether `name` is a valid plugin name such as `hash` or `my-plugin`.
    static func isPluginName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...64).contains(bytes.count), let first = bytes.first, isLowerAlphanumeric(first) else {
            return false
        }
        return bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    /// Whether `name` is a valid capability name: two or more dot-separated segments such as `hash.sha256`.
    static func isCapabilityName(_ name: String) -> Bool {
        guard name.utf8.count <= 128 else { return false }
        let segments = name.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count >= 2 else { return false }
        return segments.allSatisfy { isPluginName(String($0)) }
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// `bytes` as a string, or a failure naming `what` when NULL, empty, too long or not UTF-8.
    private static func text(
        _ bytes: [UInt8]?,
        _ what: String,
        path: String,
        allowEmpty: Bool = false
    ) throws(PluginLoadFailure) -> String {
        guard let bytes else { throw .invalidDescriptor(path, "\(what) is NULL") }
        guard allowEmpty || !bytes.isEmpty else { throw .invalidDescriptor(path, "\(what) is empty") }
        guard bytes.count <= DescriptorSnapshot.maximumStringLength else {
            throw .invalidDescriptor(path, "\(what) is longer than \(DescriptorSnapshot.maximumStringLength) bytes")
        }
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw .invalidDescriptor(path, "\(what) is not valid UTF-8")
        }
        return string
    }

    private static func semanticVersion(
        _ bytes: [UInt8]?,
        _ what: String,
        path: String
    ) throws(PluginLoadFailure) -> SemanticVersion {
        let string = try text(bytes, what, path: path)
        guard let version = SemanticVersion(string) else {
            throw .invalidDescriptor(
                path,
                "\(what) \"\(printable(string))\" is not a semantic version such as 1.0.0"
            )
        }
        return version
    }

    /// `text` cut to 80 characters with control characters escaped, for quoting in a reason.
    private static func printable(_ text: String) -> String {
        let cut = text.count > 80 ? String(text.prefix(80)) + "…" : text
        return cut.unicodeScalars.map {
            $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0)
        }
        .joined()
    }
}
