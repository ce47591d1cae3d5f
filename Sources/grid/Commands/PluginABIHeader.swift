/// The plugin ABI header that `grid plugin new --lang c` writes next to a new C plugin.
///
/// A copy of `Sources/CGridPluginABI/include/grid_plugin.h`, which stays the one source of truth: the test
/// "the header written for a C plugin is byte-identical to grid_plugin.h" fails when the two differ. After editing
/// the header, paste it here between the delimiters, unchanged.
enum PluginABIHeader {
    static let text = #"""
/*
 * PeerGrid capability plugin ABI, version 2.
 *
 * A plugin is a shared library that exports one C symbol, `grid_plugin_entry`, returning a pointer to a
 * `grid_plugin` descriptor that stays valid for the life of the process. Nothing but C types crosses this
 * boundary, so plugins can be written in C, Swift (through GridPluginKit) or any language with a C FFI.
 *
 * Memory: the host owns `input`; the plugin owns what it writes to `*output` until the host hands it back
 * through `free_buffer`. All strings are NUL-terminated UTF-8.
 *
 * Threads: the host may call `invoke` from several threads at once, also for the same capability; a plugin
 * that keeps shared state must protect it. `init` runs once, before any `invoke`.
 *
 * Versioning: `abi_version` is the first field in every ABI version, so a host can read it before anything
 * else and refuse a descriptor whose layout it does not know. Version 2 added `flags` to `grid_capability`;
 * hosts still load version 1 descriptors, reading their capabilities with the version 1 layout
 * (`grid_capability_v1`) as deterministic, so plugins built against the version 1 header keep working.
 */
#ifndef GRID_PLUGIN_H
#define GRID_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The ABI version this header describes. */
#define GRID_PLUGIN_ABI_VERSION 2u

/** The oldest ABI version a host still loads. A host refuses descriptors outside this and the version above. */
#define GRID_PLUGIN_ABI_VERSION_OLDEST 1u

/** The name of the symbol every plugin exports. */
#define GRID_PLUGIN_ENTRY_SYMBOL "grid_plugin_entry"

/** Result codes of `invoke` and `init`. */
#define GRID_PLUGIN_OK 0
#define GRID_PLUGIN_ERROR 1
#define GRID_PLUGIN_BAD_INPUT 2
#define GRID_PLUGIN_UNKNOWN_CAPABILITY 3

/**
 * Flag of a capability whose output for the same input may differ between runs (random bytes, timestamps,
 * sampling). The grid refuses to run such a capability redundantly and compare outputs.
 */
#define GRID_CAPABILITY_NONDETERMINISTIC 0x1u

/** Every flag bit this header defines; a host refuses a capability with any other bit set. */
#define GRID_CAPABILITY_KNOWN_FLAGS GRID_CAPABILITY_NONDETERMINISTIC

/** One ability a plugin offers, such as "hash.sha256" at version "1.0.0". */
typedef struct grid_capability {
    const char *name;        /* dotted lowercase name, e.g. "hash.sha256" */
    const char *version;     /* semantic version, e.g. "1.2.0" */
    const char *description; /* one line for people */
    uint32_t cost;           /* credits one invocation costs (a hint the matchmaker charges) */
    uint32_t flags;          /* GRID_CAPABILITY_* bits; 0 for a deterministic capability (since version 2) */
} grid_capability;

/** A capability as an ABI version 1 descriptor lays it out; hosts read version 1 descriptors through it. */
typedef struct grid_capability_v1 {
    const char *name;
    const char *version;
    const char *description;
    uint32_t cost;
} grid_capability_v1;

/** A byte buffer handed from plugin to host. */
typedef struct grid_buffer {
    uint8_t *data;
    size_t length;
} grid_buffer;

/** The descriptor a plugin returns from `grid_plugin_entry`. */
typedef struct grid_plugin {
    uint32_t abi_version;               /* GRID_PLUGIN_ABI_VERSION */
    const char *name;                   /* plugin name, e.g. "hash" */
    const char *version;                /* plugin semantic version */
    size_t capability_count;
    const grid_capability *capabilities; /* for abi_version 1: grid_capability_v1 entries */
    /** Called once after loading; returns GRID_PLUGIN_OK or an error code. May be NULL. */
    int32_t (*init)(void);
    /**
     * Runs `capability` on `input`. The host sets `*output` to {NULL, 0} before the call; `input` may be NULL
     * when `input_length` is 0. On GRID_PLUGIN_OK, `*output` holds the result (an empty result may stay
     * {NULL, 0}); on any other code it holds a UTF-8 error message (or is left empty). Either way the host
     * returns a non-NULL `output->data` through `free_buffer` exactly once.
     */
    int32_t (*invoke)(const char *capability, const uint8_t *input, size_t input_length, grid_buffer *output);
    /** Releases a buffer that `invoke` produced. */
    void (*free_buffer)(grid_buffer buffer);
    /** Called before the host stops using the plugin. May be NULL. */
    void (*deinit)(void);
} grid_plugin;

/** The type of the exported entry point. */
typedef const grid_plugin *(*grid_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* GRID_PLUGIN_H */

"""#
}
