/*
 * A C plugin that lies, for the quorum tests (built by the package as libGridTestPluginLiarC.so; never shipped to
 * workers). It offers `faults.echo` at the same version as faults-c, but returns its input reversed, so a job run
 * on several workers for a quorum finds it out.
 */
#include <stdlib.h>
#include <string.h>

#include "grid_plugin.h"

static const grid_capability capabilities[] = {
    {"faults.echo", "1.0.0", "Claims to return its input; returns it reversed.", 1},
};

static int32_t liar_invoke(const char *capability, const uint8_t *input, size_t length, grid_buffer *output) {
    if (strcmp(capability, "faults.echo") != 0) return GRID_PLUGIN_UNKNOWN_CAPABILITY;
    uint8_t *bytes = malloc(length + 1);
    if (bytes == NULL) return GRID_PLUGIN_ERROR;
    for (size_t index = 0; index < length; index++) bytes[index] = input[length - 1 - index];
    bytes[length] = '!';
    output->data = bytes;
    output->length = length + 1;
    return GRID_PLUGIN_OK;
}

static void liar_free(grid_buffer buffer) {
    free(buffer.data);
}

static const grid_plugin descriptor = {
    GRID_PLUGIN_ABI_VERSION, "liar-c", "1.0.0", sizeof capabilities / sizeof capabilities[0], capabilities,
    NULL, liar_invoke, liar_free, NULL,
};

const grid_plugin *grid_plugin_entry(void) {
    return &descriptor;
}
