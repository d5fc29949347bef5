// The commit `ordinaut_build_info` reports. `make` writes it to .build/ordinaut-commit before each
// build (only when it changed, so an unchanged tree does not rebuild); C23 #embed reads it at
// compile time. A plain `swift build` without that file reports "unknown". Nothing generated is
// committed.
#include "ordinaut_build_info.h"

#pragma clang diagnostic ignored "-Wc23-extensions"

#if __has_embed("../../.build/ordinaut-commit")
static const char commit[] = {
#embed "../../.build/ordinaut-commit" limit(64) if_empty('u', 'n', 'k', 'n', 'o', 'w', 'n')
    , 0};
#else
static const char commit[] = "unknown";
#endif

const char *ordinaut_build_commit(void) {
    return commit;
}
