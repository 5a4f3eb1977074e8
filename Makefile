# ember: top-level entry points. `make demo` and `make test` work on a fresh
# Debian 12 machine: they install missing Debian packages (scripts/setup.sh),
# configure with CMake and build.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
JOBS       ?= $(shell nproc)
SHARED     ?= ../shared
CMAKE_FLAGS ?=

.PHONY: all build setup configure python test test-fast test-asan test-fuzz fuzz fuzz-build demo bench bench-shared tflm-coverage tune-kws clean help

all: build

help:
	@echo "make            build everything into $(BUILD)/ (CLI: $(BUILD)/bin/ember)"
	@echo "make demo       build the CLI (only what the demo runs), then quantize, compile and run a trained digits CNN on an emulated Cortex-M4;"
	@echo "                prints a summary and writes $(BUILD)/demo/report.html"
	@echo "make python     build the Python package's module (needs python3-dev, pybind11-dev) into python/ember/:"
	@echo "                PYTHONPATH=python /usr/bin/python3 -c 'import ember' (docs/python.md);"
	@echo "                python3 examples/python/micro_tutorial.py: microTVM's tutorial on an emulated Cortex-M4"
	@echo "make test       build and run all tests, also under ASan+UBSan, and short runs of the fuzz targets"
	@echo "make test-fast  run the tests of the normal build only"
	@echo "make fuzz       fuzz every target for FUZZ_SECONDS (default 60) each, with clang's libFuzzer"
	@echo "                (FUZZ_TARGETS=\"npy session\" picks targets; docs/fuzzing.md)"
	@echo "make bench      MLPerf Tiny models on emulated Cortex-M cores (needs $(SHARED)): $(BUILD)/bench/results.json"
	@echo "make tune-kws   ember tune on kws for cortex-m4 and m7 under QEMU, tuned vs default per layer (docs/tuning.md)"
	@echo "make tflm-coverage  which of TensorFlow Lite Micro's own models import, compile and run (host and QEMU cortex-m4):"
	@echo "                $(BUILD)/tflm-coverage.md (needs a TFLM tree: EMBER_TFLM_DIR=/path/to/tflite-micro)"
	@echo "make clean      remove the build directories"

setup:
	@sh scripts/setup.sh

$(BUILD)/build.ninja: | setup
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

configure: $(BUILD)/build.ninja

build: setup configure
	cmake --build $(BUILD) -j $(JOBS)

# The Python package in place: the extension module is built in
# $(BUILD)/python/ember/ and copied next to the .py files of python/ember/.
python: setup configure
	cmake --build $(BUILD) -j $(JOBS) --target ember_python
	@set -e; so=$$(ls $(BUILD)/python/ember/_ember*.so 2>/dev/null | head -n 1); \
	  if [ -z "$$so" ]; then echo "make python: the module was not built: install python3-dev and pybind11-dev (scripts/setup.sh) and reconfigure" >&2; exit 1; fi; \
	  cp "$$so" python/ember/ && echo "make python: $$(basename $$so) in python/ember/; use PYTHONPATH=$(CURDIR)/python"

test-fast: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900

$(ASAN_BUILD)/build.ninja: | setup
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DEMBER_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug $(CMAKE_FLAGS)

# The sanitizer run covers the unit tests (runtime framing, session and RPC
# server, host transports and session with the fault-injecting link, Project
# API, IR, planner, packaging), the operator tests and the malformed-input
# tests (through the CLI). The end-to-end tests, whose devices are compiled
# firmware and QEMU outside the sanitizers, run in the normal build.
ASAN_TESTS = ember_unit_tests ember_ops_tests ember_passes_tests ember_fuzz_tests ember_conformance_tests
test-asan: setup $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS) --target ember $(ASAN_TESTS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 900 -L '^($(shell echo $(ASAN_TESTS) | tr ' ' '|'))$$'

# The fuzz build (docs/fuzzing.md): clang, libFuzzer, ASan+UBSan, only the
# libraries the targets need and the targets. `make test` runs each target
# for a fixed number of executions over its seeds (ctest label fuzz);
# `make fuzz` runs each for FUZZ_SECONDS on a corpus that grows in
# $(FUZZ_BUILD)/fuzz-corpus, crashes in $(FUZZ_BUILD)/fuzz-artifacts.
$(FUZZ_BUILD)/build.ninja: | setup
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DEMBER_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug $(CMAKE_FLAGS)

fuzz-build: setup $(FUZZ_BUILD)/build.ninja
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target ember_fuzz_targets

test-fuzz: fuzz-build
	cd $(FUZZ_BUILD) && ctest --output-on-failure -j $(JOBS) -L fuzz

fuzz: fuzz-build
	@sh tests/fuzz/run_fuzz.sh campaign $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

test: test-fast test-asan test-fuzz

# It builds only what it runs (the ember CLI and the demo's host driver):
# about a third of the whole build, which `make test` completes.
demo: setup configure
	cmake --build $(BUILD) -j $(JOBS) --target ember ember-digits-demo
	@sh examples/demo.sh $(BUILD)

# The benchmark (bench/README.md): the four MLPerf Tiny models of $(SHARED)
# on every emulated core, checked bit-exact; writes $(BUILD)/bench/results.json
# and results.md and prints the table.
bench-shared:
	@test -d $(SHARED)/models -a -d $(SHARED)/testdata -a -f $(SHARED)/peers/tflm-cortex-m4.json || \
	  { echo "make bench: $(SHARED) (models/, testdata/, peers/tflm-cortex-m4.json) is missing; the benchmark needs it (check out 'shared' beside the project or pass SHARED=/path)" >&2; exit 1; }

# It builds only what it runs (the ember CLI and ember-bench-report).
bench: bench-shared setup configure
	cmake --build $(BUILD) -j $(JOBS) --target ember ember-bench-report
	@sh bench/bench.sh $(BUILD)/bin/ember $(BUILD)/bin/ember-bench-report $(SHARED) $(BUILD)/bench

# ember tune on kws for cortex-m4 and cortex-m7 under QEMU, default trials
# (docs/tuning.md; minutes, not part of `make test`).
tune-kws: bench-shared setup configure
	cmake --build $(BUILD) -j $(JOBS) --target ember
	@sh bench/tune_kws.sh $(BUILD)/bin/ember $(SHARED) $(BUILD)/tune-kws

# Every .tflite of a TensorFlow Lite Micro tree through import, host compile
# and run (tests/e2e/tflm_coverage_test.cc; EMBER_TFLM_DIR names a checkout).
tflm-coverage: setup configure
	cmake --build $(BUILD) -j $(JOBS) --target ember ember_e2e_tests
	EMBER_TFLM_COVERAGE_OUT=$(abspath $(BUILD))/tflm-coverage.md EMBER_TFLM_COVERAGE_M4=1 \
	  $(BUILD)/bin/ember_e2e_tests --gtest_filter='TflmCoverage.*'
	@test -f $(BUILD)/tflm-coverage.md && echo "make tflm-coverage: $(BUILD)/tflm-coverage.md"

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
