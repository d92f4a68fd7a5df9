# SPDX-License-Identifier: Apache-2.0
#
# A thin front end over CMake and CTest (the DuckDB habit): every rule lives in CMakeLists.txt,
# this file only names the usual builds.
#
#   make / make build   Release build in build/ (binaries in build/)
#   make deps           install missing Debian packages (scripts/deps.txt)
#   make run            build deps + build, then ./build/basketd --sample $(RUN_ARGS)
#                       (only the build group of scripts/deps.txt: a first run stays quick)
#   make test           deps + ASan/UBSan Debug build in build-test/ + ctest
#   make fuzz           clang + libFuzzer targets in build-fuzz/
#   make format         clang-format -i over tracked *.c / *.h
#   make clean          remove every build directory
#
# Variables: JOBS (parallel build jobs), RUN_ARGS (extra basketd flags), CTEST_ARGS (e.g.
# CTEST_ARGS='-L unit' or '-R storage'), BASKET_TEST_SEED (seeds the randomized tests).

JOBS        ?= $(shell nproc 2>/dev/null || echo 2)
CTEST_JOBS  ?= 2
RUN_ARGS    ?=
CTEST_ARGS  ?=
CMAKE       ?= cmake
CTEST       ?= ctest
CLANG_FORMAT ?= $(shell command -v clang-format-14 2>/dev/null || command -v clang-format 2>/dev/null)

BUILD_DIR := build
TEST_DIR  := build-test
FUZZ_DIR  := build-fuzz

.PHONY: all build deps run test fuzz format clean

all: build

build:
	$(CMAKE) -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release
	$(CMAKE) --build $(BUILD_DIR) -j$(JOBS)

deps:
	@scripts/deps.sh

# Steps run in sequence inside one recipe so that `make -j run` cannot build before deps.
run:
	@scripts/deps.sh build
	$(CMAKE) -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release
	$(CMAKE) --build $(BUILD_DIR) -j$(JOBS)
	exec ./$(BUILD_DIR)/basketd --sample $(RUN_ARGS)

test:
	@scripts/deps.sh
	$(CMAKE) -S . -B $(TEST_DIR) -DCMAKE_BUILD_TYPE=Debug -DBASKET_SANITIZE=ON \
		-DBASKET_WERROR=ON -DBASKET_TESTS=ON
	$(CMAKE) --build $(TEST_DIR) -j$(JOBS)
	$(CTEST) --test-dir $(TEST_DIR) --output-on-failure -j$(CTEST_JOBS) $(CTEST_ARGS)

fuzz:
	CC=clang $(CMAKE) -S . -B $(FUZZ_DIR) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
		-DBASKET_FUZZ=ON
	$(CMAKE) --build $(FUZZ_DIR) -j$(JOBS)

format:
	@test -n "$(CLANG_FORMAT)" || { echo "clang-format not found: run make deps" >&2; exit 1; }
	git ls-files -z -- '*.c' '*.h' | xargs -0 -r $(CLANG_FORMAT) -i

clean:
	rm -rf $(BUILD_DIR) $(TEST_DIR) $(FUZZ_DIR) build-dev build-release build-tsan
