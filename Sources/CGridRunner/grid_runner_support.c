#define _GNU_SOURCE
#include "grid_runner_support.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* ---- Allocator hooks ----------------------------------------------------------------------------------------
 * The runner's executable defines malloc and friends, so every library it loads (plugins included) calls these;
 * they forward to glibc's own allocator and remember the size of a request that failed. Under RLIMIT_AS a failed
 * allocation is how "over the memory limit" shows, and the worker names it in the job's failure. */

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);

static _Atomic uint64_t failed_allocation = 0;

static void note_failure(size_t size) {
    uint64_t seen = atomic_load(&failed_allocation);
    while (size > seen && !atomic_compare_exchange_weak(&failed_allocation, &seen, (uint64_t)size)) {
    }
}

void *malloc(size_t size) {
    void *pointer = __libc_malloc(size);
    if (pointer == NULL && size != 0) note_failure(size);
    return pointer;
}

void *calloc(size_t count, size_t size) {
    void *pointer = __libc_calloc(count, size);
    if (pointer == NULL && count != 0 && size != 0) {
        note_failure(size > SIZE_MAX / count ? SIZE_MAX : count * size);
    }
    return pointer;
}

void *realloc(void *previous, size_t size) {
    void *pointer = __libc_realloc(previous, size);
    if (pointer == NULL && size != 0) note_failure(size);
    return pointer;
}

void *memalign(size_t alignment, size_t size) {
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL && size != 0) note_failure(size);
    return pointer;
}

void *aligned_alloc(size_t alignment, size_t size) {
    return memalign(alignment, size);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return EINVAL;
    void *pointer = memalign(alignment, size);
    if (pointer == NULL && size != 0) return ENOMEM;
    *result = pointer;
    return 0;
}

void grid_runner_reset_failed_allocation(void) {
    atomic_store(&failed_allocation, 0);
}

uint64_t grid_runner_failed_allocation(void) {
    return atomic_load(&failed_allocation);
}

uint64_t grid_runner_cpu_microseconds(void) {
    struct rusage usage;
    if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
    uint64_t user = (uint64_t)usage.ru_utime.tv_sec * 1000000u + (uint64_t)usage.ru_utime.tv_usec;
    uint64_t system = (uint64_t)usage.ru_stime.tv_sec * 1000000u + (uint64_t)usage.ru_stime.tv_usec;
    return user + system;
}

/* ---- Fatal signals -------------------------------------------------------------------------------------------
 * The handler writes one `dying` frame (RunnerFrame.Kind.dying = 8: u32 body length 13, u8 kind, i32 signal,
 * u64 failed allocation, all little-endian) with write(2), which is async-signal-safe, then dies of the signal
 * with its default action, so the worker's waitpid sees the real signal. */

static int channel = -1;
static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS};
static char alternate_stack[64 * 1024];

static void put_le(unsigned char *out, uint64_t value, int count) {
    for (int index = 0; index < count; index++) out[index] = (unsigned char)(value >> (8 * index));
}

static void on_fatal_signal(int signal_number) {
    unsigned char frame[4 + 1 + 4 + 8];
    put_le(frame, 13, 4);
    frame[4] = 8;
    put_le(frame + 5, (uint32_t)signal_number, 4);
    put_le(frame + 9, atomic_load(&failed_allocation), 8);
    if (channel >= 0) {
        ssize_t ignored = write(channel, frame, sizeof frame);
        (void)ignored;
    }
    signal(signal_number, SIG_DFL);
    raise(signal_number);
}

/* ---- Watchdog ------------------------------------------------------------------------------------------------
 * Waits for the worker's end of the channel to close (POLLRDHUP never consumes data) and exits at once, so a
 * runner stuck in a plugin never outlives a worker that died, even by SIGKILL. */

static void *watch_channel(void *unused) {
    (void)unused;
    struct pollfd entry = {.fd = channel, .events = POLLRDHUP};
    for (;;) {
        int ready = poll(&entry, 1, -1);
        if (ready < 0 && errno == EINTR) continue;
        /* 86 is RunnerFrame.channelLostStatus: descriptor 3 was closed under the runner (by a plugin). */
        if (ready < 0 || (entry.revents & POLLNVAL) != 0) _exit(86);
        if ((entry.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0) _exit(0);
    }
    return NULL;
}

int grid_runner_prepare(int channel_fd, uint64_t memory_limit) {
    channel = channel_fd;
    stack_t stack = {.ss_sp = alternate_stack, .ss_size = sizeof alternate_stack, .ss_flags = 0};
    if (sigaltstack(&stack, NULL) != 0) return errno;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_fatal_signal;
    action.sa_flags = SA_ONSTACK | SA_RESETHAND | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    for (size_t index = 0; index < sizeof fatal_signals / sizeof fatal_signals[0]; index++) {
        if (sigaction(fatal_signals[index], &action, NULL) != 0) return errno;
    }
    signal(SIGPIPE, SIG_IGN);

    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setstacksize(&attributes, 64 * 1024);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    pthread_t watchdog;
    int started = pthread_create(&watchdog, &attributes, watch_channel, NULL);
    pthread_attr_destroy(&attributes);
    if (started != 0) return started;

    /* The limit comes last: the watchdog's stack and the handlers are in place before it can bite. */
    if (memory_limit != 0) {
        struct rlimit limit = {.rlim_cur = (rlim_t)memory_limit, .rlim_max = (rlim_t)memory_limit};
        if (setrlimit(RLIMIT_AS, &limit) != 0) return errno;
    }
    return 0;
}
