#include "ordinaut_lazy_library.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

int ordinaut_lazy_open(const char *soname, const char *const *names, void **slots, size_t count,
                       char *error, size_t size) {
    void *handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *reason = dlerror();
        snprintf(error, size, "%s could not be loaded (%s); install it or use a configuration that does not need it",
                 soname, reason ? reason : "unknown reason");
        return 0;
    }
    for (size_t index = 0; index < count; index++) {
        slots[index] = dlsym(handle, names[index]);
        if (slots[index] == NULL) {
            snprintf(error, size, "%s has no %s: the installed version is too old", soname, names[index]);
            dlclose(handle);
            return 0;
        }
    }
    error[0] = 0;
    return 1;
}

void ordinaut_lazy_unavailable(const char *error) {
    fprintf(stderr, "ordinaut: %s\n", error);
    abort();
}
