#ifndef ORDINAUT_LAZY_LIBRARY_H
#define ORDINAUT_LAZY_LIBRARY_H
#include <pthread.h>
#include <stddef.h>

// A client library opened on its first use rather than by the dynamic loader at exec.
//
// libcurl, libpq and hiredis bring about thirty more libraries with them (TLS, Kerberos, LDAP, SSH,
// IDN, compression). Mapping and relocating them at exec cost every start about 7 ms of CPU and
// 8 MiB of resident memory, although most processes never open a connection to PostgreSQL, Redis or
// a web server. A library declared with ORDINAUT_LAZY_LIBRARY defines the functions the Swift code
// calls under their own names; each forwards to the symbol resolved when the library was opened.

/// Opens `soname` and resolves every one of `names` into `slots`. Returns 1; or 0 with `error`
/// naming the library or the symbol that is missing, in which case nothing stays open.
int ordinaut_lazy_open(const char *soname, const char *const *names, void **slots, size_t count,
                       char *error, size_t size);

/// Ends the process with `error`. Reached only when a function is called although its library
/// failed to open, which the callers rule out by checking `<prefix>_load()` first.
_Noreturn void ordinaut_lazy_unavailable(const char *error);

// The list macro given to ORDINAUT_LAZY_LIBRARY takes three macros and applies one to each entry:
//   F(type, name, (parameters), (arguments))  a function returning `type`, forwarded;
//   P(name, (parameters), (arguments))        a function returning void, forwarded;
//   S(name)                                   a symbol only resolved: the library's own code calls it
//                                             through `ordinaut_lazy_slot` (variadic functions).
#define ORDINAUT_LAZY_NAME_F(type, name, parameters, arguments) #name,
#define ORDINAUT_LAZY_NAME_P(name, parameters, arguments) #name,
#define ORDINAUT_LAZY_NAME_S(name) #name,
#define ORDINAUT_LAZY_INDEX_F(type, name, parameters, arguments) ordinaut_lazy_index_##name,
#define ORDINAUT_LAZY_INDEX_P(name, parameters, arguments) ordinaut_lazy_index_##name,
#define ORDINAUT_LAZY_INDEX_S(name) ordinaut_lazy_index_##name,
#define ORDINAUT_LAZY_FORWARD_F(type, name, parameters, arguments) \
    type name parameters { return ((type (*) parameters)ordinaut_lazy_slot(ordinaut_lazy_index_##name)) arguments; }
#define ORDINAUT_LAZY_FORWARD_P(name, parameters, arguments) \
    void name parameters { ((void (*) parameters)ordinaut_lazy_slot(ordinaut_lazy_index_##name)) arguments; }
#define ORDINAUT_LAZY_FORWARD_S(name)

/// Defines `int <prefix>_load(void)` (opens the library once; 1 when every symbol resolved),
/// `const char *<prefix>_load_error(void)` and a forwarder for each F and P entry of `LIST`.
#define ORDINAUT_LAZY_LIBRARY(prefix, soname, LIST)                                                      \
    enum { LIST(ORDINAUT_LAZY_INDEX_F, ORDINAUT_LAZY_INDEX_P, ORDINAUT_LAZY_INDEX_S) ordinaut_lazy_count }; \
    static const char *const ordinaut_lazy_names[] = {                                                   \
        LIST(ORDINAUT_LAZY_NAME_F, ORDINAUT_LAZY_NAME_P, ORDINAUT_LAZY_NAME_S)};                          \
    static void *ordinaut_lazy_slots[ordinaut_lazy_count];                                               \
    static pthread_once_t ordinaut_lazy_once = PTHREAD_ONCE_INIT;                                        \
    static int ordinaut_lazy_loaded;                                                                     \
    static char ordinaut_lazy_error[512];                                                                \
    static void ordinaut_lazy_open_once(void) {                                                          \
        ordinaut_lazy_loaded = ordinaut_lazy_open(soname, ordinaut_lazy_names, ordinaut_lazy_slots,      \
                                                  ordinaut_lazy_count, ordinaut_lazy_error,              \
                                                  sizeof ordinaut_lazy_error);                           \
    }                                                                                                    \
    int prefix##_load(void) {                                                                            \
        pthread_once(&ordinaut_lazy_once, ordinaut_lazy_open_once);                                      \
        return ordinaut_lazy_loaded;                                                                     \
    }                                                                                                    \
    const char *prefix##_load_error(void) {                                                              \
        prefix##_load();                                                                                 \
        return ordinaut_lazy_error;                                                                      \
    }                                                                                                    \
    static void *ordinaut_lazy_slot(int index) {                                                         \
        if (!prefix##_load()) ordinaut_lazy_unavailable(ordinaut_lazy_error);                            \
        return ordinaut_lazy_slots[index];                                                               \
    }                                                                                                    \
    LIST(ORDINAUT_LAZY_FORWARD_F, ORDINAUT_LAZY_FORWARD_P, ORDINAUT_LAZY_FORWARD_S)

#endif
