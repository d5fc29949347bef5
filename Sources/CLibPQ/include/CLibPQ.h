#ifndef ORDINAUT_CLIBPQ_H
#define ORDINAUT_CLIBPQ_H
#include <postgresql/libpq-fe.h>
#include <poll.h>

// libpq is opened on first use (see ordinaut_lazy_library.h): call ordinaut_pq_load() before any
// other function of it, and report ordinaut_pq_load_error() when it returns 0.
int ordinaut_pq_load(void);
const char *ordinaut_pq_load_error(void);
#endif
