# The two commands of the README: `make run` and `make test`. Everything else is a helper.
SWIFT ?= swift
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: run test build release bootstrap swift-test interop swift-extension bench clean

## Build (release) and serve MCP over HTTP on the embedded defaults.
run: bootstrap release
	.build/release/ordinaut serve --host $(HOST) --port $(PORT)

## Build everything and run every test: Swift Testing, then the Python interop suite.
test: bootstrap build swift-test interop swift-extension

bootstrap:
	@scripts/bootstrap.sh

build:
	$(SWIFT) build --build-tests

release:
	$(SWIFT) build -c release --product ordinaut

swift-test:
	$(SWIFT) test --skip-build

interop:
	cd tests/interop && ORDINAUT_BIN=$(CURDIR)/.build/debug/ordinaut ../../.venv/bin/python -m pytest -q

## The custom-build example: its own package, tests and a call through its binary.
swift-extension:
	examples/swift-extension/check.sh

## Benchmarks (not tests): see bench/README.md.
bench: bootstrap release
	bench/run.sh

clean:
	rm -rf .build .venv examples/swift-extension/.build
