# needle: `make demo` and `make test` work on a fresh Debian 12 machine as root.
# They install what is missing (apt-get), configure a Release build in build/,
# build, and run. `make build` only builds.

BUILD    ?= build
JOBS     ?= $(shell nproc)
WERROR   ?= $(if $(CI),ON,OFF)
PY       ?= /usr/bin/python3
SHARED   ?= $(abspath ../shared)

# Debian packages the build and the tests need (docs/design.md says why each).
APT_PACKAGES = build-essential cmake ninja-build pkg-config xz-utils \
  libtbb-dev libzstd-dev libutf8proc-dev libxxhash-dev libcli11-dev libhwy-dev \
  googletest libgtest-dev python3 python3-levenshtein python3-fuzzywuzzy

.PHONY: all deps build test test-cpp test-python demo bench bench-scorers format clean

all: build

# Installs only what is missing; a no-op on a machine that has everything.
deps:
	@missing=$$(for p in $(APT_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	  done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BUILD)/build.ninja: CMakeLists.txt | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DNEEDLE_WERROR=$(WERROR)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

test: build
	$(MAKE) --no-print-directory test-cpp test-python

test-cpp:
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-python:
	NEEDLE_BIN=$(abspath $(BUILD))/needle NEEDLE_SHARED=$(SHARED) $(PY) tests/python/run_all.py

demo: build
	@bash tools/demo.sh $(BUILD)/needle

bench: build
	$(PY) bench/bench_match.py --needle $(BUILD)/needle --shared $(SHARED)

# Pairs per second per scorer, one thread (needs Google Benchmark).
bench-scorers: deps
	@dpkg-query -W -f='$${Status}\n' libbenchmark-dev 2>/dev/null | grep -q '^install ok installed' || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libbenchmark-dev)
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DNEEDLE_WERROR=$(WERROR)
	cmake --build $(BUILD) -j $(JOBS) --target bench_scorers
	$(BUILD)/bench_scorers

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf $(BUILD)
