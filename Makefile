# PeerGrid: `make demo` runs a local grid, `make test` runs the tests. Both install what is missing first.
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# iproute2 gives `ip`, for the partition test's network namespaces (it is skipped, saying why, without it).
# zlib1g provides libz.so.1 for Plugins/ffi/zlib.json; libm.so.6 (Plugins/ffi/libm.json) is part of glibc.
APT_PACKAGES := libsodium-dev libsqlite3-dev libffi-dev zlib1g iproute2

.PHONY: all setup build demo test bench bench-e2e soak clean fuzz-build fuzz fuzz-smoke fuzz-seeds

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

# libFuzzer harnesses (Fuzz/, docs/fuzzing.md), built in their own scratch path with every module instrumented.
FUZZ_HARNESSES := frame-decoder handshake message job-spec expression ledger-entry receipt runner-frames
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_BUILD_FLAGS := --package-path Fuzz --scratch-path .build-fuzz \
	-Xswiftc -sanitize=fuzzer -Xswiftc -enable-testing

fuzz-build: setup
	$(SWIFT) build $(FUZZ_BUILD_FLAGS)

# Each harness for FUZZ_SECONDS (default 60 s); fails at the end when any found a crash.
fuzz: fuzz-build
	@failed=""; for h in $(FUZZ_HARNESSES); do ./Fuzz/run-harness $$h $(FUZZ_SECONDS) || failed="$$failed $$h"; done; \
	if [ -n "$$failed" ]; then echo "fuzzing found crashes in:$$failed" >&2; exit 1; fi

# The short pass CI runs after `make test`.
fuzz-smoke: fuzz-build
	@failed=""; for h in $(FUZZ_HARNESSES); do ./Fuzz/run-harness $$h $(FUZZ_SMOKE_SECONDS) || failed="$$failed $$h"; done; \
	if [ -n "$$failed" ]; then echo "fuzzing found crashes in:$$failed" >&2; exit 1; fi

# Rewrites the seed corpora in Fuzz/corpus/ from each harness's `seeds()`.
fuzz-seeds: fuzz-build
	@for h in $(FUZZ_HARNESSES); do \
		rm -rf Fuzz/corpus/$$h && mkdir -p Fuzz/corpus/$$h && \
		FUZZ_WRITE_SEEDS=Fuzz/corpus/$$h .build-fuzz/debug/fuzz-$$h || exit 1; \
	done

clean:
	rm -rf .build .build-fuzz Benchmarks/.build
