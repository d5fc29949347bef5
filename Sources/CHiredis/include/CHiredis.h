#ifndef ORDINAUT_CHIREDIS_H
#define ORDINAUT_CHIREDIS_H
#include <hiredis/hiredis.h>

// hiredis is opened on first use (see ordinaut_lazy_library.h): call ordinaut_hiredis_load() before
// any other function of it, and report ordinaut_hiredis_load_error() when it returns 0.
int ordinaut_hiredis_load(void);
const char *ordinaut_hiredis_load_error(void);
#endif
