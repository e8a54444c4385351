# memsnn: the two commands a new user needs (README.md), plus the ones developers use.
#   make demo   install missing Debian packages, build, run the main scenario, print its outputs
#   make test   install missing Debian packages, build, run every test through ctest
#   make bench  benchmarks against reference simulators (bench/, not part of the tests)
#   make sanitize  build and test with AddressSanitizer + UndefinedBehaviorSanitizer

BUILD    ?= build
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
OUT      ?= out
SCENARIO ?= scenarios/dendrite_power.lua
MEMSNN   := $(BUILD)/scripting/memsnn

.PHONY: all deps build demo test bench sanitize clean

all: build

deps:
	@./scripts/install-deps

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@./scripts/demo "$(MEMSNN)" "$(SCENARIO)" "$(OUT)"

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	@./bench/run "$(BUILD)" $(BENCH_ARGS)

sanitize: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DMEMSNN_SANITIZE=ON
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD) build-asan
