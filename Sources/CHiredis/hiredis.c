#include "CHiredis.h"
#include "ordinaut_lazy_library.h"

#define HIREDIS_FUNCTIONS(F, P, S)                                                                     \
    F(redisContext *, redisConnectWithTimeout, (const char *host, int port, const struct timeval timeout), \
      (host, port, timeout))                                                                           \
    F(int, redisSetTimeout, (redisContext *context, const struct timeval timeout), (context, timeout))  \
    F(int, redisAppendFormattedCommand, (redisContext *context, const char *command, size_t length),   \
      (context, command, length))                                                                      \
    F(int, redisGetReply, (redisContext *context, void **reply), (context, reply))                     \
    P(freeReplyObject, (void *reply), (reply))                                                         \
    P(redisFree, (redisContext *context), (context))

// The soname follows the headers built against: libhiredis.so.0.14 on Debian 12.
#define ORDINAUT_STRING(value) #value
#define ORDINAUT_SONAME(version) "libhiredis.so." ORDINAUT_STRING(version)
ORDINAUT_LAZY_LIBRARY(ordinaut_hiredis, ORDINAUT_SONAME(HIREDIS_SONAME), HIREDIS_FUNCTIONS)
