# PeerGrid: `make demo` runs a local grid, `make test` runs the tests. Both install what is missing first.
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# zlib1g provides libz.so.1 for Plugins/ffi/zlib.json; libm.so.6 (Plugins/ffi/libm.json) is part of glibc.
APT_PACKAGES := libsodium-dev libsqlite3-dev libffi-dev zlib1g

.PHONY: all setup build demo test bench bench-e2e soak clean

all: build

# Installs the system libraries when any is missing (Debian/Ubuntu).
setup:
	@missing=""; for p in $(APT_PACKAGES); do \
		dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

build: setup
	$(SWIFT) build

demo: build
	./.build/debug/grid demo

test: setup
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# The plugin benchmarks load plugins and grid-runner from the root package's release build; the end-to-end benchmark
# (grid-bench, Benchmarks/EndToEnd) starts that build's grid processes. BENCH_* variables size it (docs/PERFORMANCE.md).
bench: setup
	$(SWIFT) build -c release
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark
	./.build/release/grid-bench

bench-e2e: setup
	$(SWIFT) build -c release
	./.build/release/grid-bench

# 100,000 jobs from four submitters with every process's memory sampled; fails when one grows past the bound
# (docs/PERFORMANCE.md, "Soak"). BENCH_SOAK=N sizes it.
BENCH_SOAK ?= 100000
soak: setup
	$(SWIFT) build -c release
	BENCH_SOAK=$(BENCH_SOAK) ./.build/release/grid-bench

clean:
	rm -rf .build Benchmarks/.build
