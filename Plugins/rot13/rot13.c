/*
 * The rot13 plugin: `text.rot13` rotates ASCII letters by 13 places and leaves every other byte as it is,
 * so UTF-8 text stays valid UTF-8. Written against grid_plugin.h alone, as any C plugin author would.
 */
#include "rot13_plugin.h"

#include <stdlib.h>
#include <string.h>

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

static int32_t rot13_invoke(const char *capability, const uint8_t *input, size_t input_length,
                            grid_buffer *output) {
    if (output == NULL) {
        return GRID_PLUGIN_ERROR;
    }
    output->data = NULL;
    output->length = 0;
    if (capability == NULL || strcmp(capability, "text.rot13") != 0) {
        return reply(output, "This plugin has no capability of that name; it offers text.rot13.",
                     GRID_PLUGIN_UNKNOWN_CAPABILITY);
    }
    if (input_length == 0) {
        return GRID_PLUGIN_OK;
    }
    if (input == NULL) {
        return reply(output, "The host passed an invalid input buffer.", GRID_PLUGIN_BAD_INPUT);
    }
    uint8_t *data = malloc(input_length);
    if (data == NULL) {
        return reply(output, "The plugin ran out of memory.", GRID_PLUGIN_ERROR);
    }
    for (size_t i = 0; i < input_length; i++) {
        uint8_t c = input[i];
        if (c >= 'a' && c <= 'z') {
            c = (uint8_t)('a' + (c - 'a' + 13) % 26);
        } else if (c >= 'A' && c <= 'Z') {
            c = (uint8_t)('A' + (c - 'A' + 13) % 26);
        }
        data[i] = c;
    }
    output->data = data;
    output->length = input_length;
    return GRID_PLUGIN_OK;
}

static void rot13_free_buffer(grid_buffer buffer) {
    free(buffer.data);
}

static const grid_capability rot13_capabilities[] = {
    {"text.rot13", "1.0.0", "ROT13 of the ASCII letters in the input; other bytes pass unchanged.", 1},
};

static const grid_plugin rot13_plugin = {
    GRID_PLUGIN_ABI_VERSION,
    "rot13",
    "1.0.0",
    sizeof rot13_capabilities / sizeof rot13_capabilities[0],
    rot13_capabilities,
    NULL, /* init */
    rot13_invoke,
    rot13_free_buffer,
    NULL, /* deinit */
};

const grid_plugin *grid_plugin_entry(void) {
    return &rot13_plugin;
}
