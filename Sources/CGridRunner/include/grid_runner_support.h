/*
 * What the runner process needs below Swift: its memory limit, allocator hooks that notice a failed allocation,
 * a fatal-signal handler that tells the worker which signal killed it, and a watchdog that ends the runner when
 * its worker goes away. Linked into `grid-runner` only: the allocator hooks replace malloc for the whole process.
 */
#ifndef GRID_RUNNER_SUPPORT_H
#define GRID_RUNNER_SUPPORT_H

#include <stdint.h>

/**
 * Prepares the process: sets RLIMIT_AS to `memory_limit` bytes (0 leaves it alone), installs the fatal-signal
 * handlers (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS) on an alternate stack, which write a
 * `dying` frame to `channel_fd` and die of the signal, and starts the watchdog thread, which exits the process
 * as soon as the other end of `channel_fd` is closed. Returns 0, or an errno value naming what failed.
 */
int grid_runner_prepare(int channel_fd, uint64_t memory_limit);

/** Forgets any failed allocation recorded so far (called before each invocation). */
void grid_runner_reset_failed_allocation(void);

/** The size of the largest allocation that failed since the last reset, or 0. */
uint64_t grid_runner_failed_allocation(void);

/** User plus system CPU time this process has used, in microseconds (getrusage). */
uint64_t grid_runner_cpu_microseconds(void);

#endif
