# needle: `make demo` and `make test` work on a fresh Debian 12 machine as root.
# They install what is missing (apt-get), configure a Release build in build/,
# build, and run. `make build` only builds.

BUILD    ?= build
JOBS     ?= $(shell nproc)
WERROR   ?= $(if $(CI),ON,OFF)
PY       ?= /usr/bin/python3
SHARED   ?= $(abspath ../shared)
# `make test-sanitize` (gcc, ASan + UBSan) and `make fuzz` (clang, libFuzzer)
# build in directories of their own, never in $(BUILD).
BUILD_SANITIZE ?= build-sanitize
BUILD_FUZZ     ?= build-fuzz
FUZZ_SECONDS   ?= 30

# Debian packages the build and the tests need (docs/design.md says why each).
APT_PACKAGES = build-essential cmake ninja-build pkg-config xz-utils \
  libtbb-dev libzstd-dev libutf8proc-dev libxxhash-dev libcli11-dev libhwy-dev \
  googletest libgtest-dev python3 python3-levenshtein python3-fuzzywuzzy
# `make fuzz` only: clang, and compiler-rt for clang (libclang-rt-14-dev holds
# libclang_rt.fuzzer*, asan and ubsan; clang only recommends it, so with
# --no-install-recommends it must be named). libfuzzer-14-dev is not needed: it
# is the standalone libFuzzer.a for -lFuzzer, not what -fsanitize=fuzzer links.
FUZZ_APT_PACKAGES = clang libclang-rt-14-dev

# Any sanitizer report ends the process with an abort, so the test that ran it
# fails. detect_leaks is LeakSanitizer (on by default with ASan on Linux).
ASAN_OPTS  = halt_on_error=1:abort_on_error=1:print_stacktrace=1:detect_leaks=1:strict_string_checks=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=1
UBSAN_OPTS = halt_on_error=1:abort_on_error=1:print_stacktrace=1

.PHONY: all deps fuzz-deps build test test-cpp test-python test-sanitize fuzz demo bench accuracy \
  bench-scorers format clean

all: build

# $(call apt_install,PACKAGES): installs those of PACKAGES that are missing; a
# no-op on a machine that has them all.
define apt_install
	@missing=$$(for p in $(1); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	  done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call apt_install,$(APT_PACKAGES))

fuzz-deps:
	$(call apt_install,$(FUZZ_APT_PACKAGES))

$(BUILD)/build.ninja: CMakeLists.txt | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DNEEDLE_WERROR=$(WERROR)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# Every test: GoogleTest, the Python suite, then each libFuzzer target for
# TEST_FUZZ_SECONDS (a bounded run over its seed corpus; `make fuzz` runs longer).
TEST_FUZZ_SECONDS ?= 20
test: build
	$(MAKE) --no-print-directory test-cpp test-python
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(TEST_FUZZ_SECONDS)

test-cpp:
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-python:
	NEEDLE_BIN=$(abspath $(BUILD))/needle NEEDLE_SHARED=$(SHARED) $(PY) tests/python/run_all.py

# The GoogleTest suite and the Python suite with ASan + UBSan (gcc), in
# $(BUILD_SANITIZE). -O1 -g without NDEBUG: readable stacks, asserts on.
# Warnings are not errors here: the instrumented build is not what -Werror checks.
# The Python suite (about 100 s under ASan on 2 cores, vs 33 s plain) runs the
# sanitized CLI: a report aborts it, and every test checks the exact exit code.
# ASan and LeakSanitizer reports also go to files (log_path; gcc's separate
# UBSan runtime ignores it and writes to the stderr the test shows), printed at
# the end and failing the target whatever the tests said.
test-sanitize: deps
	cmake -S . -B $(BUILD_SANITIZE) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" \
	  -DNEEDLE_SANITIZE=ON -DNEEDLE_WERROR=OFF
	cmake --build $(BUILD_SANITIZE) -j $(JOBS)
	cd $(BUILD_SANITIZE) && ASAN_OPTIONS=$(ASAN_OPTS) UBSAN_OPTIONS=$(UBSAN_OPTS) \
	  ctest --output-on-failure -j $(JOBS)
	@logs=$(abspath $(BUILD_SANITIZE))/sanitizer-logs; rm -rf $$logs && mkdir -p $$logs; \
	ASAN_OPTIONS=$(ASAN_OPTS):log_path=$$logs/asan UBSAN_OPTIONS=$(UBSAN_OPTS) \
	  NEEDLE_BIN=$(abspath $(BUILD_SANITIZE))/needle \
	  NEEDLE_SHARED=$(SHARED) $(PY) tests/python/run_all.py; status=$$?; \
	if [ -n "$$(ls -A $$logs)" ]; then \
	  echo "sanitizer reports from the CLI:"; cat $$logs/*; exit 1; \
	fi; exit $$status

# Builds every fuzz/<name>_fuzz.cc with clang + libFuzzer + ASan + UBSan in
# $(BUILD_FUZZ) and runs each for FUZZ_SECONDS over a copy of its seed corpus
# fuzz/corpus/<name>_fuzz/ (new inputs stay in the copy, not in the repo). A
# crashing input is written to $(BUILD_FUZZ)/artifacts/ and fails the target.
# Example: make fuzz FUZZ_SECONDS=10
fuzz: deps fuzz-deps
	CC=clang CXX=clang++ cmake -S . -B $(BUILD_FUZZ) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" \
	  -DNEEDLE_FUZZ=ON -DNEEDLE_TESTS=OFF -DNEEDLE_WERROR=OFF
	cmake --build $(BUILD_FUZZ) -j $(JOBS) --target needle_fuzzers
	@[ "$(FUZZ_SECONDS)" -ge 1 ] 2>/dev/null || \
	  { echo "FUZZ_SECONDS must be a whole number >= 1 (libFuzzer reads 0 as no limit)"; exit 2; }; \
	targets=$$(ls fuzz/*_fuzz.cc 2>/dev/null | xargs -r -n1 basename | sed 's/\.cc$$//'); \
	if [ -z "$$targets" ]; then echo "no fuzz targets (fuzz/*_fuzz.cc)"; exit 0; fi; \
	mkdir -p $(BUILD_FUZZ)/artifacts || exit 1; failed=; \
	for t in $$targets; do \
	  corpus=$$(mktemp -d) || exit 1; trap 'rm -rf "$$corpus"' EXIT INT TERM; \
	  if [ -d fuzz/corpus/$$t ]; then cp -R fuzz/corpus/$$t/. $$corpus/ || exit 1; fi; \
	  echo "== $$t: $(FUZZ_SECONDS) s over $$(ls $$corpus | wc -l) seed inputs"; \
	  $(BUILD_FUZZ)/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=25 -print_final_stats=1 \
	    -artifact_prefix=$(abspath $(BUILD_FUZZ))/artifacts/$$t- $$corpus || failed="$$failed $$t"; \
	  rm -rf "$$corpus"; \
	done; \
	if [ -n "$$failed" ]; then \
	  echo "fuzz: FAILED:$$failed (inputs in $(BUILD_FUZZ)/artifacts/; rerun one with" \
	    "$(BUILD_FUZZ)/<target> <file>)"; exit 1; \
	fi; echo "fuzz: all targets ran $(FUZZ_SECONDS) s without a finding:" $$targets

demo: build
	@bash tools/demo.sh $(BUILD)/needle

bench: build
	$(PY) bench/bench_match.py --needle $(BUILD)/needle --shared $(SHARED)

# Recall@1 and best F1 of the scorers and TF-IDF on the benchmark and the
# ground-truth groups (bench/README.md); TF-IDF needs scikit-learn, from PyPI
# into a virtual environment (the C++ build never needs PyPI).
accuracy: build
	$(call apt_install,python3-venv)
	test -x $(BUILD)/bench-venv/bin/python || $(PY) -m venv $(BUILD)/bench-venv
	$(BUILD)/bench-venv/bin/pip install --quiet scikit-learn scipy numpy
	$(BUILD)/bench-venv/bin/python bench/accuracy.py --needle $(BUILD)/needle --shared $(SHARED) $(ACCURACY_ARGS)

# Pairs per second per scorer, one thread (needs Google Benchmark).
bench-scorers: deps
	$(call apt_install,libbenchmark-dev)
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DNEEDLE_WERROR=$(WERROR)
	cmake --build $(BUILD) -j $(JOBS) --target bench_scorers
	$(BUILD)/bench_scorers

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf $(BUILD)
