/// The files of a new plugin that builds as it is: one capability, `NAME.echo`, that returns its input and refuses
/// an empty one, so the author sees both a result and an error before writing any code.
struct PluginTemplate {
    /// The language a new plugin is written in.
    enum Language: String, CaseIterable {
        case swift
        case c
    }

    private enum Flavor {
        case c
        /// A SwiftPM package depending on PeerGrid at `location`, from `version` on when it is a URL.
        case swift(location: PeerGridLocation, version: String)
    }

    /// The plugin's name, already checked against the plugin naming rules.
    let name: String
    private let flavor: Flavor

    /// A C plugin: its source, a copy of grid_plugin.h and a Makefile.
    static func c(name: String) -> PluginTemplate {
        PluginTemplate(name: name, flavor: .c)
    }

    /// A Swift plugin: a SwiftPM package whose target depends on GridPluginKit from PeerGrid at `peerGrid`.
    static func swift(name: String, peerGrid: PeerGridLocation, version: String) -> PluginTemplate {
        PluginTemplate(name: name, flavor: .swift(location: peerGrid, version: version))
    }

    var language: Language {
        switch flavor {
        case .c: return .c
        case .swift: return .swift
        }
    }

    /// The only capability of the new plugin.
    var capability: String { name + ".echo" }

    /// The shared library a build produces, relative to the plugin's folder.
    var library: String {
        switch language {
        case .c: return "lib\(name).so"
        case .swift: return ".build/debug/lib\(name).so"
        }
    }

    /// The command that builds the plugin, run in its folder.
    var buildCommand: String {
        switch language {
        case .c: return "make"
        case .swift: return "swift build --product \(name)"
        }
    }

    /// Every file to write: a path relative to the plugin's folder, and its contents.
    var files: [(path: String, contents: String)] {
        switch flavor {
        case .c:
            return [
                ("\(name).c", cSource),
                ("grid_plugin.h", PluginABIHeader.text),
                ("Makefile", makefile),
                (".gitignore", "*.so\n"),
            ]
        case .swift(let location, let version):
            return [
                ("Package.swift", packageManifest(location, version: version)),
                ("Sources/\(name)/\(name).swift", swiftSource),
                (".gitignore", ".build/\n"),
            ]
        }
    }

    private var emptyInputMessage: String { "The input is empty; \(capability) needs at least one byte." }
    private var description: String { "Returns its input unchanged; refuses an empty input." }

    private var cSource: String {
        """
        /*
         * The \(name) plugin for PeerGrid, written against grid_plugin.h alone.
         * Build it with `make`, which runs: cc -shared -fPIC -O2 -Wall -o lib\(name).so \(name).c
         * Then: grid plugin inspect lib\(name).so; grid plugin test lib\(name).so --capability \(capability) --text hi
         *
         * \(capability) returns its input unchanged and refuses an empty input: replace it with your capabilities.
         * The rules (memory, threads, result codes) are in docs/plugins.md of PeerGrid.
         */
        #include "grid_plugin.h"

        #include <stdlib.h>
        #include <string.h>

        /* Puts a copy of `message` in `*output` (the host hands it back to plugin_free_buffer) and returns `code`. */
        static int32_t reply(grid_buffer *output, const char *message, int32_t code) {
            size_t length = strlen(message);
            uint8_t *data = malloc(length);
            if (data != NULL) {
                memcpy(data, message, length);
                output->data = data;
                output->length = length;
            }
            return code;
        }

        /* Runs one capability; the host may call it from several threads at once. */
        static int32_t plugin_invoke(const char *capability, const uint8_t *input, size_t input_length,
                                     grid_buffer *output) {
            if (output == NULL) {
                return GRID_PLUGIN_ERROR;
            }
            output->data = NULL;
            output->length = 0;
            if (capability == NULL || strcmp(capability, "\(capability)") != 0) {
                return reply(output, "This plugin has no capability of that name; it offers \(capability).",
                             GRID_PLUGIN_UNKNOWN_CAPABILITY);
            }
            if (input_length == 0 || input == NULL) {
                return reply(output, "\(emptyInputMessage)", GRID_PLUGIN_BAD_INPUT);
            }
            uint8_t *data = malloc(input_length);
            if (data == NULL) {
                return reply(output, "The plugin ran out of memory.", GRID_PLUGIN_ERROR);
            }
            memcpy(data, input, input_length);
            output->data = data;
            output->length = input_length;
            return GRID_PLUGIN_OK;
        }

        static void plugin_free_buffer(grid_buffer buffer) {
            free(buffer.data);
        }

        static const grid_capability plugin_capabilities[] = {
            /* name, version, description, cost in credits, flags (GRID_CAPABILITY_NONDETERMINISTIC when the same
               input may give different outputs) */
            {"\(capability)", "1.0.0", "\(description)", 1, 0},
        };

        static const grid_plugin plugin = {
            GRID_PLUGIN_ABI_VERSION,
            "\(name)",
            "0.1.0",
            sizeof plugin_capabilities / sizeof plugin_capabilities[0],
            plugin_capabilities,
            NULL, /* init */
            plugin_invoke,
            plugin_free_buffer,
            NULL, /* deinit */
        };

        /* The one symbol the host looks up. */
        const grid_plugin *grid_plugin_entry(void) {
            return &plugin;
        }

        """
    }

    private var makefile: String {
        """
        # Builds lib\(name).so, the \(name) plugin for PeerGrid: `make`, then copy it into a worker's --plugins folder.
        CFLAGS ?= -O2 -Wall

        lib\(name).so: \(name).c grid_plugin.h
        \t$(CC) -shared -fPIC $(CFLAGS) -o $@ \(name).c

        clean:
        \trm -f lib\(name).so

        .PHONY: clean

        """
    }

    private func packageManifest(_ peerGrid: PeerGridLocation, version: String) -> String {
        """
        // swift-tools-version: 6.1
        // The \(name) plugin for PeerGrid. Build it with `swift build --product \(name)` (a plain `swift build`
        // also builds every target of PeerGrid); the plugin is .build/debug/lib\(name).so.
        import PackageDescription

        let package = Package(
            name: "\(name)",
            products: [
                // A dynamic library: the file a worker loads from its --plugins folder.
                .library(name: "\(name)", type: .dynamic, targets: ["\(name)"]),
            ],
            dependencies: [
                \(peerGrid.dependency(version: version)),
            ],
            targets: [
                // SwiftPM names a path or URL dependency after its last path component, lowercased:
                // "\(peerGrid.identity)" here.
                .target(
                    name: "\(name)",
                    dependencies: [.product(name: "GridPluginKit", package: "\(peerGrid.identity)")]
                ),
            ]
        )

        """
    }

    private var swiftSource: String {
        """
        import GridPluginKit

        /// The \(name) plugin: its capabilities and the code that runs them.
        ///
        /// \(capability) returns its input unchanged and refuses an empty input: replace it with your capabilities.
        /// A handler may run on several threads at once; throw `CapabilityError.badInput` when the input is at fault
        /// and `CapabilityError.failed` when the plugin is, with a full sentence that does not echo the input.
        let plugin = PluginDefinition(
            name: "\(name)",
            version: "0.1.0",
            capabilities: [
                Capability(
                    "\(capability)",
                    version: "1.0.0",
                    description: "\(description)",
                    cost: 1,
                    deterministic: true  // false when the same input may give different outputs
                ) { input in
                    guard !input.isEmpty else {
                        throw CapabilityError.badInput("\(emptyInputMessage)")
                    }
                    return input
                }
            ]
        )

        /// The one symbol the host looks up: the plugin's C descriptor, built once by `export()`.
        @_cdecl("grid_plugin_entry")
        public func gridPluginEntry() -> UnsafeRawPointer {
            plugin.export()
        }

        """
    }
}
