#ifndef ORDINAUT_BUILD_INFO_H
#define ORDINAUT_BUILD_INFO_H

/// The commit this binary was built from (NUL-terminated): what `make` wrote to
/// .build/ordinaut-commit before building, or "unknown" when the file was absent.
const char *ordinaut_build_commit(void);

#endif
