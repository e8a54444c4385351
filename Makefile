# memsnn: the two commands a new user needs (README.md), plus the ones developers use.
#   make demo   install missing Debian packages, build, run the main scenario, print its outputs
#   make test   install missing Debian packages, build, run every test through ctest
#   make bench  benchmarks against reference simulators (bench/, not part of the tests)
#   make sanitize  build and test with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan);
#                  with clang's libFuzzer there, the fuzz harnesses also fuzz briefly
#   make fuzz   fuzz each harness of tests/fuzz/ for FUZZ_SECONDS (docs/reliability.md)

BUILD    ?= build
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
OUT      ?= out
SCENARIO ?= scenarios/dendrite_power.lua
FUZZ_SECONDS ?= 60
FUZZ_HARNESSES := lua readers device_params
MEMSNN   := $(BUILD)/scripting/memsnn

.PHONY: all deps build demo test bench sanitize fuzz clean

all: build

deps:
	@./scripts/install-deps

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@./scripts/demo "$(MEMSNN)" "$(SCENARIO)" "$(OUT)"

# The suite, then the suite again under the sanitizers (CI runs this: .ci/run).
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory sanitize JOBS=$(JOBS)

bench: build
	@./bench/run "$(BUILD)" $(BENCH_ARGS)

sanitize: deps
	@./scripts/configure-asan
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS)

# Each harness fuzzes for FUZZ_SECONDS from its corpus; new inputs stay in build-asan/fuzz/.
fuzz: deps
	@./scripts/configure-asan --require-fuzzer
	cmake --build build-asan -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_HARNESSES))
	@for h in $(FUZZ_HARNESSES); do \
	    echo "memsnn: fuzzing $$h for $(FUZZ_SECONDS) s"; \
	    LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp build-asan/tests/fuzz/fuzz_$$h \
	        -fork=1 -ignore_timeouts=1 -ignore_ooms=1 -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	        -rss_limit_mb=3072 -handle_int=0 \
	        -artifact_prefix=build-asan/fuzz/$$h/artifacts/ build-asan/fuzz/$$h/corpus tests/fuzz/corpus/$$h \
	        || exit 1; \
	done

clean:
	rm -rf $(BUILD) build-asan
