/*
 * A C plugin that misbehaves on request, for the isolation tests (built by the package as
 * libGridTestPluginFaultsC.so; never shipped to workers). Each capability does one bad thing.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#include "grid_plugin.h"

static const grid_capability capabilities[] = {
    {"faults.echo", "1.0.0", "Returns its input.", 1},
    {"faults.segv", "1.0.0", "Writes through a NULL pointer.", 1},
    {"faults.abort", "1.0.0", "Calls abort().", 1},
    {"faults.exit", "1.0.0", "Calls exit(0) inside invoke.", 1},
    {"faults.hang", "1.0.0", "Never returns.", 1},
    {"faults.alloc", "1.0.0", "Allocates and touches 2 GiB.", 1},
    {"faults.close", "1.0.0", "Closes the runner's channel (descriptor 3), then returns.", 1},
    {"faults.trap", "1.0.0", "Executes a trap instruction, as Swift's fatalError does.", 1},
    {"faults.leak", "1.0.0", "Allocates and touches 1 MiB that it never frees.", 1},
    {"faults.badutf8", "1.0.0", "Fails with 10,000 bytes of invalid UTF-8 as its message.", 1},
    {"faults.slow", "1.0.0", "Appends '+' to the file named by its input, waits until another call is running too "
                             "(at most 2 s), then appends '-'.", 1},
    {"faults.random", "1.0.0", "Returns 16 random bytes, whatever its input: its output is not deterministic.", 1,
     GRID_CAPABILITY_NONDETERMINISTIC},
};

static int32_t reply(const void *bytes, size_t length, grid_buffer *output, int32_t code) {
    if (length == 0) return code;
    output->data = malloc(length);
    if (output->data == NULL) return GRID_PLUGIN_ERROR;
    memcpy(output->data, bytes, length);
    output->length = length;
    return code;
}

/* How many calls are between their '+' and '-' in the marks file. */
static int running_now(const uint8_t *input, size_t length) {
    char path[4096];
    if (length == 0 || length >= sizeof path) return 0;
    memcpy(path, input, length);
    path[length] = 0;
    int file = open(path, O_RDONLY);
    if (file < 0) return 0;
    char buffer[4096];
    ssize_t count = read(file, buffer, sizeof buffer);
    close(file);
    int running = 0;
    for (ssize_t index = 0; index < count; index++) {
        if (buffer[index] == '+') running++;
        if (buffer[index] == '-') running--;
    }
    return running;
}

static void mark(const uint8_t *input, size_t length, const char *what) {
    char path[4096];
    if (length == 0 || length >= sizeof path) return;
    memcpy(path, input, length);
    path[length] = 0;
    int file = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600);
    if (file < 0) return;
    ssize_t ignored = write(file, what, strlen(what));
    (void)ignored;
    close(file);
}

static int32_t faults_invoke(const char *capability, const uint8_t *input, size_t length, grid_buffer *output) {
    if (strcmp(capability, "faults.echo") == 0) return reply(input, length, output, GRID_PLUGIN_OK);
    if (strcmp(capability, "faults.segv") == 0) {
        *(volatile int *)0 = 1;
    }
    if (strcmp(capability, "faults.abort") == 0) abort();
    if (strcmp(capability, "faults.exit") == 0) exit(0);
    if (strcmp(capability, "faults.hang") == 0) {
        for (;;) sleep(1);
    }
    if (strcmp(capability, "faults.alloc") == 0) {
        size_t size = (size_t)2 << 30;
        char *block = malloc(size);
        memset(block, 1, size); /* NULL when over the memory limit: a crash, as in a careless plugin */
        free(block);
        return reply("ok", 2, output, GRID_PLUGIN_OK);
    }
    if (strcmp(capability, "faults.close") == 0) {
        close(3);
        return reply("closed", 6, output, GRID_PLUGIN_OK);
    }
    if (strcmp(capability, "faults.trap") == 0) __builtin_trap();
    if (strcmp(capability, "faults.leak") == 0) {
        char *block = malloc(1 << 20);
        if (block == NULL) return GRID_PLUGIN_ERROR;
        memset(block, 1, 1 << 20);
        return reply("leaked", 6, output, GRID_PLUGIN_OK);
    }
    if (strcmp(capability, "faults.badutf8") == 0) {
        char bad[10000];
        memset(bad, 0xff, sizeof bad);
        return reply(bad, sizeof bad, output, GRID_PLUGIN_ERROR);
    }
    if (strcmp(capability, "faults.random") == 0) {
        uint8_t bytes[16];
        int file = open("/dev/urandom", O_RDONLY);
        if (file < 0) return reply("cannot open /dev/urandom", 24, output, GRID_PLUGIN_ERROR);
        ssize_t count = read(file, bytes, sizeof bytes);
        close(file);
        if (count != (ssize_t)sizeof bytes) return reply("short read", 10, output, GRID_PLUGIN_ERROR);
        return reply(bytes, sizeof bytes, output, GRID_PLUGIN_OK);
    }
    if (strcmp(capability, "faults.slow") == 0) {
        mark(input, length, "+\n");
        for (int waited = 0; waited < 200 && running_now(input, length) < 2; waited++) usleep(10 * 1000);
        mark(input, length, "-\n");
        return reply("slow", 4, output, GRID_PLUGIN_OK);
    }
    return GRID_PLUGIN_UNKNOWN_CAPABILITY;
}

static void faults_free(grid_buffer buffer) {
    free(buffer.data);
}

static const grid_plugin descriptor = {
    GRID_PLUGIN_ABI_VERSION, "faults-c", "1.0.0", sizeof capabilities / sizeof capabilities[0], capabilities,
    NULL, faults_invoke, faults_free, NULL,
};

const grid_plugin *grid_plugin_entry(void) {
    return &descriptor;
}
