#ifndef ORDINAUT_RESOURCES_H
#define ORDINAUT_RESOURCES_H
#include <stddef.h>

/// The bytes of a file compiled into the binary (from protocol/ and extensions/), or NULL when
/// `name` is not one of them. `name` is the path relative to the package root.
const unsigned char *ordinaut_resource(const char *name, size_t *length);

/// The name of the `index`th compiled-in file, or NULL past the last: for listing a folder's files.
const char *ordinaut_resource_name(size_t index);

#endif
