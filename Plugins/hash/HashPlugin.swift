import GridCore
import GridCrypto
import GridPluginKit

/// The `hash` plugin: hex digests of the input bytes.
let hashPlugin = PluginDefinition(
    name: "hash",
    version: "1.0.0",
    capabilities: [
        Capability(
            "hash.sha256",
            description: "SHA-256 of the input, as 64 lowercase hex characters.",
            cost: 1
        ) { input in
            Array(Hex.encode(Digest.sha256(input)).utf8)
        },
        Capability(
            "hash.blake2b",
            description: "BLAKE2b-256 of the input, as 64 lowercase hex characters.",
            cost: 1
        ) { input in
            Array(Hex.encode(Digest.blake2b(input)).utf8)
        },
    ]
)

/// The entry point the host looks up with `dlsym`.
@_cdecl("grid_plugin_entry")
public func gridPluginEntry() -> UnsafeRawPointer {
    hashPlugin.export()
}
