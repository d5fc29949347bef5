#!/usr/bin/env bash
# Builds the custom ordinaut, runs its tests, and calls the compiled-in greeter through it.
#
# CI builds it in the main package's build folder (`make test` has just built everything there):
# the Ordinaut modules compile with the same flags under the same package identity, so they are
# reused and only this package's own targets compile, instead of a second cold build of everything.
# Set SWIFT_EXTENSION_SCRATCH to build elsewhere (e.g. .build for a build of its own). The example
# resolves to the main package's versions: a copy of its Package.resolved, when there is one.
set -euo pipefail
cd "$(dirname "$0")"
scratch=${SWIFT_EXTENSION_SCRATCH:-../../.build}
if [ -f ../../Package.resolved ] && [ ! -f Package.resolved ]; then cp ../../Package.resolved Package.resolved; fi
swift build --build-tests --scratch-path "$scratch"
swift test --skip-build --scratch-path "$scratch"
export ORDINAUT_EXT_ENTRY_GRANTS='{"greeter": ["ROUTES", "TOOLS", "EVENTS_PUB", "BACKGROUND_TASKS"]}'
# Eager: with no manifest to declare its tools, a lazy compiled-in extension's tools appear only once
# something (a route request) has started it.
export ORDINAUT_EXT_ENTRY_EAGER='{"greeter": true}'
binary=$(swift build --scratch-path "$scratch" --show-bin-path)/ordinaut-custom
"$binary" ext list | grep -q $'^greeter\tcompiled\tcompiled\teager\tBACKGROUND_TASKS,EVENTS_PUB,ROUTES,TOOLS$'
output=$("$binary" tools call ext.greeter.hello --args '{"name": "Ada"}' 2>/dev/null)
case "$output" in
    *'"greeting":"Hello, Ada!"'*) echo "swift-extension: ok" ;;
    *) echo "swift-extension: unexpected output: $output" >&2; exit 1 ;;
esac
