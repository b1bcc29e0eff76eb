# minidl — thin wrapper around CMake/CTest. The build logic lives in CMakeLists.txt.
#
#   make deps          install missing Debian packages (scripts/install-deps.sh)
#   make build         configure + build in build/ (Release, -march=native)
#   make demo          build, then run build/examples/sepnet_waveforms (the flagship example)
#   make test          build, then run the test suite with ctest
#   make asan          build in build-asan/ with ASan+UBSan (RelWithDebInfo) and run ctest
#   make portable      build in build-portable/ with MINIDL_NATIVE=OFF and run ctest
#   make bench         build in build/ (Release), run the micro-benchmarks of bench/ on THREADS
#                      OpenMP threads (default 2; BENCH_ARGS="--benchmark_..." adds flags), then
#                      the SepNet training step against PyTorch (SIZES, ROUNDS) and its table
#   make bench-deps    install python3-torch, the PyTorch peer of make bench
#   make format        clang-format -i every .cpp/.hpp known to git
#   make format-check  fail if any of those is not formatted
#   make clean         remove the build directories
#
# Variables: CMAKE_ARGS="-D..." (extra configure args), JOBS (build parallelism, default nproc),
# CTEST_JOBS (default 2), TEST_TIMEOUT / ASAN_TEST_TIMEOUT (seconds per test).

SHELL := /bin/bash
.DEFAULT_GOAL := build

BUILD_DIR          := build
ASAN_BUILD_DIR     := build-asan
PORTABLE_BUILD_DIR := build-portable

JOBS              ?= $(shell nproc 2>/dev/null || echo 2)
CTEST_JOBS        ?= 2
TEST_TIMEOUT      ?= 600
ASAN_TEST_TIMEOUT ?= 1200
CMAKE_ARGS        ?=

# Ninja when installed, otherwise CMake's default generator. Only used when a build directory
# is first configured (CMake refuses to switch the generator of an existing one).
GENERATOR := $(if $(shell command -v ninja 2>/dev/null),-G Ninja,)

CTEST := ctest --output-on-failure --no-tests=error -j $(CTEST_JOBS)

# $(call configure_build,<dir>,<cmake args>): (re)configure <dir> and build it. Re-running the
# configure step is cheap and makes CMAKE_ARGS / option changes take effect.
define configure_build
	@if [ -f "$(1)/CMakeCache.txt" ]; then \
		cmake -S . -B "$(1)" $(2) $(CMAKE_ARGS); \
	else \
		cmake -S . -B "$(1)" $(GENERATOR) $(2) $(CMAKE_ARGS); \
	fi
	cmake --build "$(1)" -j $(JOBS)
endef

.PHONY: all deps build demo test bench bench-deps asan portable format format-check clean help

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	$(call configure_build,$(BUILD_DIR),)
	@# For clangd & co.: compile_commands.json at the repo root (git-ignored symlink).
	@ln -sfn "$(BUILD_DIR)/compile_commands.json" compile_commands.json

demo: build
	./$(BUILD_DIR)/examples/sepnet_waveforms

test: build
	cd "$(BUILD_DIR)" && $(CTEST) --timeout $(TEST_TIMEOUT)

# halt_on_error/abort: any sanitizer report fails the test; leak checking stays on.
asan: deps
	$(call configure_build,$(ASAN_BUILD_DIR),-DMINIDL_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMINIDL_BUILD_BENCH=OFF)
	cd "$(ASAN_BUILD_DIR)" && \
		ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:strict_init_order=1" \
		UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
		$(CTEST) --timeout $(ASAN_TEST_TIMEOUT)

portable: deps
	$(call configure_build,$(PORTABLE_BUILD_DIR),-DMINIDL_NATIVE=OFF -DCMAKE_BUILD_TYPE=Release -DMINIDL_BUILD_BENCH=OFF)
	cd "$(PORTABLE_BUILD_DIR)" && $(CTEST) --timeout $(TEST_TIMEOUT)

# Benchmarks (bench/, docs/performance.md): the micro-benchmarks (a short minimum time per
# benchmark keeps them under a minute; BENCH_ARGS="--benchmark_filter=Matmul" selects some),
# then the SepNet training step of minidl and PyTorch per size in SIZES, alternated, ROUNDS
# times, and the table of their ratios (scripts/bench_sepnet.sh). PyTorch is skipped when
# /usr/bin/python3 cannot import torch (make bench-deps installs it).
THREADS    ?= 2
BENCH_ARGS ?=
SIZES      ?= tiny medium large
ROUNDS     ?= 1
bench: deps
	$(call configure_build,$(BUILD_DIR),-DMINIDL_BUILD_BENCH=ON -DCMAKE_BUILD_TYPE=Release)
	OMP_NUM_THREADS=$(THREADS) ./$(BUILD_DIR)/bench/bench_micro --benchmark_min_time=0.1 $(BENCH_ARGS)
	THREADS=$(THREADS) SIZES="$(SIZES)" ROUNDS=$(ROUNDS) \
		bash scripts/bench_sepnet.sh ./$(BUILD_DIR)/bench/bench_sepnet

bench-deps:
	@bash scripts/bench_deps.sh

# Files known to git: tracked plus new, not-ignored ones (so fresh files get formatted too).
FORMAT_FILES_CMD := git ls-files -z --cached --others --exclude-standard -- '*.cpp' '*.hpp'

format:
	@$(FORMAT_FILES_CMD) | xargs -0 -r clang-format -i

format-check:
	@$(FORMAT_FILES_CMD) | xargs -0 -r clang-format --dry-run -Werror

clean:
	rm -rf "$(BUILD_DIR)" "$(ASAN_BUILD_DIR)" "$(PORTABLE_BUILD_DIR)"
	rm -f compile_commands.json

help:
	@sed -n '1,/^$$/p' Makefile | sed 's/^# \{0,1\}//'
