# The two commands of the README: `make run` and `make test`. Everything else is a helper.
SWIFT ?= swift
HOST ?= 127.0.0.1
PORT ?= 8080
PREFIX ?= /usr/local
# `make install CONFIGURATION=debug` installs the debug build (the tests do, to avoid a release build).
CONFIGURATION ?= release
# Release builds link the Swift runtime and Foundation statically: the loader then resolves far fewer
# symbols at start (cold start to the first answer about halves). bench/*.sh build with the same flags.
BUILD_FLAGS = -c $(CONFIGURATION) $(if $(filter release,$(CONFIGURATION)),--static-swift-stdlib)

.PHONY: run test build release install commit bootstrap bootstrap-run swift-test interop swift-extension bench bench-check clean

## Build (release) and serve MCP over HTTP on the embedded defaults. No test venv is needed.
run: bootstrap-run release
	.build/release/ordinaut serve --host $(HOST) --port $(PORT)

## Install the `ordinaut` binary into $(DESTDIR)$(PREFIX)/bin. It carries its resources (the
## built-in extensions' manifests, the protocol files) inside, so there is nothing else to install.
install: bootstrap-run commit
	$(SWIFT) build $(BUILD_FLAGS) --product ordinaut
	install -d "$(DESTDIR)$(PREFIX)/bin"
	install -m 755 "$$($(SWIFT) build $(BUILD_FLAGS) --show-bin-path)/ordinaut" "$(DESTDIR)$(PREFIX)/bin/ordinaut"

## Build everything and run every test: Swift Testing, the Python interop suite, the custom-build
## example, and the allocation guard.
test: bootstrap build swift-test interop swift-extension bench-check

bootstrap:
	@scripts/bootstrap.sh

bootstrap-run:
	@scripts/bootstrap.sh --run

## The commit `ordinaut_build_info` reports, embedded by Sources/CBuildInfo; rewritten only when it
## changes, so that an unchanged tree does not rebuild.
commit:
	@mkdir -p .build
	@c=$$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown); \
	 if [ -n "$$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then c="$$c-dirty"; fi; \
	 [ "$$(cat .build/ordinaut-commit 2>/dev/null)" = "$$c" ] || printf '%s' "$$c" > .build/ordinaut-commit

build: commit
	$(SWIFT) build --build-tests

release: commit
	$(SWIFT) build -c release --static-swift-stdlib --product ordinaut

swift-test:
	$(SWIFT) test --skip-build

interop:
	cd tests/interop && ORDINAUT_BIN=$(CURDIR)/.build/debug/ordinaut ../../.venv/bin/python -m pytest -q

## The custom-build example: its own package, tests and a call through its binary.
swift-extension:
	examples/swift-extension/check.sh

## The regression guard: heap allocations per operation on the request and run paths of the debug
## build, against bench/check/baseline.json; fails when one grows by more than 10 %. After a change
## that moves them on purpose: python3 bench/check/run.py --update, and commit the baseline.
bench-check:
	python3 bench/check/run.py

## Benchmarks (not tests): see bench/README.md.
bench: bootstrap release
	bench/run.sh

clean:
	rm -rf .build .venv examples/swift-extension/.build
