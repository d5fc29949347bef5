#include <postgresql/libpq-fe.h>
#include <poll.h>
