/*
 * A compiled C plugin doing what the FFI manifest Plugins/ffi/zlib.json does for zlib.crc32: zlib's crc32 of the
 * input bytes, as decimal text. The baseline of the FFI benchmark (Benchmarks/PluginBenchmarks); built by the package
 * as libGridTestPluginCrc32C.so, never shipped to workers. zlib is opened at init with dlopen("libz.so.1"), as the
 * manifest does, so no zlib headers or link-time library are needed.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crc32_plugin.h"

typedef unsigned long (*crc32_fn)(unsigned long crc, const unsigned char *buf, unsigned int len);

static crc32_fn zlib_crc32 = NULL;

static const grid_capability capabilities[] = {
    {"bench.crc32", "1.0.0", "zlib's crc32 of the input bytes, from 0, as decimal text.", 1},
};

static int32_t crc32_init(void) {
    void *zlib = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL);
    if (zlib == NULL) return GRID_PLUGIN_ERROR;
    zlib_crc32 = (crc32_fn)dlsym(zlib, "crc32");
    return zlib_crc32 == NULL ? GRID_PLUGIN_ERROR : GRID_PLUGIN_OK;
}

static int32_t crc32_invoke(const char *capability, const uint8_t *input, size_t length, grid_buffer *output) {
    if (strcmp(capability, "bench.crc32") != 0) return GRID_PLUGIN_UNKNOWN_CAPABILITY;
    if (length > 0xffffffffu) return GRID_PLUGIN_BAD_INPUT;
    unsigned long crc = zlib_crc32(0, input, (unsigned int)length);
    char *text = malloc(24);
    if (text == NULL) return GRID_PLUGIN_ERROR;
    int written = snprintf(text, 24, "%lu", crc);
    output->data = (uint8_t *)text;
    output->length = (size_t)written;
    return GRID_PLUGIN_OK;
}

static void crc32_free(grid_buffer buffer) {
    free(buffer.data);
}

static const grid_plugin descriptor = {
    GRID_PLUGIN_ABI_VERSION, "crc32-c", "1.0.0", sizeof capabilities / sizeof capabilities[0], capabilities,
    crc32_init, crc32_invoke, crc32_free, NULL,
};

const grid_plugin *grid_plugin_entry(void) {
    return &descriptor;
}
