import GridPluginKit

/// The `text` plugin: word count and upper-casing of UTF-8 text.
let textPlugin = PluginDefinition(
    name: "text",
    version: "1.0.0",
    capabilities: [
        Capability(
            "text.wordcount",
            description: "Number of whitespace-separated words in UTF-8 text, as decimal text.",
            cost: 1
        ) { input in
            let text = try UTF8Input.decode(input)
            return Array(String(UTF8Input.wordCount(text)).utf8)
        },
        Capability(
            "text.uppercase",
            description: "The UTF-8 input text in upper case.",
            cost: 1
        ) { input in
            Array(try UTF8Input.decode(input).uppercased().utf8)
        },
    ]
)

/// The entry point the host looks up with `dlsym`.
@_cdecl("grid_plugin_entry")
public func gridPluginEntry() -> UnsafeRawPointer {
    textPlugin.export()
}
