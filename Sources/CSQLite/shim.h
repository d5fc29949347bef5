#include <sqlite3.h>

/// Turns off SQLite's memory statistics, which nothing reads: with them on, every allocation and
/// free inside SQLite takes a process-wide mutex (about 300 per scheduled run). Must run before
/// SQLite initializes (the first open); later it fails with SQLITE_MISUSE and changes nothing.
/// sqlite3_config is variadic, which Swift cannot call: hence this wrapper.
static inline int ordinaut_sqlite3_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
