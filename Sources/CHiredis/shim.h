#ifndef ORDINAUT_CHIREDIS_SHIM_H
#define ORDINAUT_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#endif
