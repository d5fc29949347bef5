// Counts heap allocations of the process it is preloaded into (LD_PRELOAD), for `make bench-check`.
//
// Every malloc, calloc, realloc, posix_memalign, aligned_alloc and memalign is counted with its
// size. On SIGUSR2, or when the process calls `alloccount_mark()` (found with dlsym, so a program
// runs unchanged without the counter), the totals so far are appended to the file named by
// ALLOCCOUNT_REPORT as one line, "<allocations> <bytes>\n", so a driver can take the difference
// between two points and divide by the operations in between. Allocation counts do not depend on how busy the machine is,
// which is what a regression guard on a shared two-core machine needs.
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static atomic_ullong allocations;
static atomic_ullong bytes;
static int report = -1;

static inline void count(size_t size) {
    atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&bytes, size, memory_order_relaxed);
}

void *malloc(size_t size) { count(size); return __libc_malloc(size); }
void *calloc(size_t n, size_t size) { count(n * size); return __libc_calloc(n, size); }
void *realloc(void *pointer, size_t size) { count(size); return __libc_realloc(pointer, size); }
void *memalign(size_t alignment, size_t size) { count(size); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { count(size); return __libc_memalign(alignment, size); }
int posix_memalign(void **out, size_t alignment, size_t size) {
    count(size);
    void *pointer = __libc_memalign(alignment, size);
    if (!pointer) return 12; // ENOMEM
    *out = pointer;
    return 0;
}

// Async-signal-safe: digits by hand, one write().
static size_t put(char *to, unsigned long long value) {
    char digits[24];
    size_t n = 0;
    do { digits[n++] = (char)('0' + value % 10); value /= 10; } while (value);
    for (size_t i = 0; i < n; i++) to[i] = digits[n - 1 - i];
    return n;
}

static void on_signal(int signal) {
    (void)signal;
    if (report < 0) return;
    char line[64];
    size_t length = put(line, atomic_load(&allocations));
    line[length++] = ' ';
    length += put(line + length, atomic_load(&bytes));
    line[length++] = '\n';
    ssize_t written = write(report, line, length);
    (void)written;
}

// For marks from inside the process: a thread of the Swift concurrency pool blocks signals, so
// raise() from it would wait forever.
void alloccount_mark(void) { on_signal(0); }

__attribute__((constructor)) static void start(void) {
    const char *path = getenv("ALLOCCOUNT_REPORT");
    if (!path) return;
    report = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    action.sa_flags = SA_RESTART;
    sigaction(SIGUSR2, &action, NULL);
    // Children (subprocess extensions) count for themselves, not into this report.
    unsetenv("LD_PRELOAD");
}
