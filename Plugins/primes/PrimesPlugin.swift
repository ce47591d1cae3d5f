import GridPluginKit

/// The `primes` plugin: counts primes below a decimal n.
let primesPlugin = PluginDefinition(
    name: "primes",
    version: "1.0.0",
    capabilities: [
        Capability(
            "primes.count",
            description: "Number of primes below n; the input is n as decimal text, at most \(PrimeCounter.maximum).",
            cost: 3
        ) { input in
            let n = try PrimeCounter.parse(input)
            return Array(String(PrimeCounter.count(below: n)).utf8)
        }
    ]
)

/// The entry point the host looks up with `dlsym`.
@_cdecl("grid_plugin_entry")
public func gridPluginEntry() -> UnsafeRawPointer {
    primesPlugin.export()
}
