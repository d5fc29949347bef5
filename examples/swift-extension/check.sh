#!/usr/bin/env bash
# Builds the custom ordinaut, runs its tests, and calls the compiled-in greeter through it.
set -euo pipefail
cd "$(dirname "$0")"
swift build --build-tests
swift test --skip-build
export ORDINAUT_EXT_ENTRY_GRANTS='{"greeter": ["ROUTES", "TOOLS", "EVENTS_PUB", "BACKGROUND_TASKS"]}'
# Eager: with no manifest to declare its tools, a lazy compiled-in extension's tools appear only once
# something (a route request) has started it.
export ORDINAUT_EXT_ENTRY_EAGER='{"greeter": true}'
binary=$(swift build --show-bin-path)/ordinaut-custom
"$binary" ext list | grep -q $'^greeter\tcompiled\tcompiled\teager\tBACKGROUND_TASKS,EVENTS_PUB,ROUTES,TOOLS$'
output=$("$binary" tools call ext.greeter.hello --args '{"name": "Ada"}' 2>/dev/null)
case "$output" in
    *'"greeting":"Hello, Ada!"'*) echo "swift-extension: ok" ;;
    *) echo "swift-extension: unexpected output: $output" >&2; exit 1 ;;
esac
