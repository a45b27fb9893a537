# The two commands from README.md: `make run` and `make test`.
TEST_DIR  := build/asan
REL_DIR   := build/release
TSAN_DIR  := build/tsan
FUZZ_DIR  := build/fuzz
CMAKE_GEN := -G Ninja

.PHONY: deps run test build-test build-release reliability tsan build-fuzz fuzz-smoke fuzz bench bench-smoke wheel format clean

deps:
	@scripts/install-deps

build-test: deps
	cmake -S . -B $(TEST_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="-O1 -g" -DJOBQ_SANITIZE=ON >/dev/null
	cmake --build $(TEST_DIR)

test: build-test
	cd $(TEST_DIR) && ctest --output-on-failure -j2

# The reliability suite's long tier (tests/reliability/README.md); its short tier is part of
# make test. Bounded: under 30 minutes.
reliability: build-test
	cd tests/reliability && RELIABILITY=long JOBQD=$(CURDIR)/$(TEST_DIR)/jobqd \
		/usr/bin/python3 -m unittest discover -v -t . -s .

# ThreadSanitizer over the suites with threads (the ctest label tsan, tests/CMakeLists.txt); only
# their targets are built. halt_on_error makes a race fail its test instead of only printing.
TSAN_TARGETS := store_tests engine_tests server_tests client_tests embedded_worker_tests jobqd cpp_worker
tsan: deps
	cmake -S . -B $(TSAN_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DJOBQ_TSAN=ON >/dev/null
	cmake --build $(TSAN_DIR) --target $(TSAN_TARGETS)
	cd $(TSAN_DIR) && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 $(TSAN_OPTIONS)" \
		ctest --output-on-failure -j2 -L tsan

# libFuzzer targets (fuzz/README.md), built with Debian's clang: fuzz-smoke runs each over its
# corpus and then briefly (CI), fuzz for FUZZ_SECONDS each.
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 45
build-fuzz: deps
	cmake -S . -B $(FUZZ_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++-14 \
		-DJOBQ_FUZZ=ON -DJOBQ_TESTS=OFF >/dev/null
	cmake --build $(FUZZ_DIR) --target fuzzers

fuzz-smoke: build-fuzz
	fuzz/run $(FUZZ_DIR) $(FUZZ_SMOKE_SECONDS)

fuzz: build-fuzz
	fuzz/run $(FUZZ_DIR) $(FUZZ_SECONDS)

build-release: deps
	cmake -S . -B $(REL_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release -DJOBQ_BENCH=ON -DJOBQ_TESTS=OFF >/dev/null
	cmake --build $(REL_DIR)

run: build-release
	$(REL_DIR)/jobqd

bench: build-release
	bench/run-all $(REL_DIR) full

bench-smoke: build-release
	bench/run-all $(REL_DIR) smoke

# The Python client as a wheel, dist/jobq-VERSION-py3-none-any.whl (`pip install dist/jobq-*.whl`),
# offline: Debian's setuptools and wheel (scripts/install-deps), no build isolation, no index. Built
# from a copy of clients/python, so that the checkout gets no build/ or jobq.egg-info.
PY_DIST ?= dist
wheel:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	cp -r clients/python "$$tmp/src" && rm -rf "$$tmp/src/build" "$$tmp"/src/*.egg-info && \
	mkdir -p $(PY_DIST) && rm -f $(PY_DIST)/jobq-*.whl && \
	/usr/bin/python3 -m pip wheel --quiet --no-deps --no-build-isolation --no-index \
		--disable-pip-version-check -w $(PY_DIST) "$$tmp/src" && \
	ls $(PY_DIST)/jobq-*.whl

format:
	clang-format -i $$(git ls-files '*.h' '*.cpp')

clean:
	rm -rf build $(PY_DIST)
