# The two commands from README.md: `make run` and `make test`.
TEST_DIR  := build/asan
REL_DIR   := build/release
CMAKE_GEN := -G Ninja

.PHONY: deps run test build-test build-release bench bench-smoke format clean

deps:
	@scripts/install-deps

build-test: deps
	cmake -S . -B $(TEST_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="-O1 -g" -DJOBQ_SANITIZE=ON >/dev/null
	cmake --build $(TEST_DIR)

test: build-test
	cd $(TEST_DIR) && ctest --output-on-failure -j2

build-release: deps
	cmake -S . -B $(REL_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release -DJOBQ_BENCH=ON -DJOBQ_TESTS=OFF >/dev/null
	cmake --build $(REL_DIR)

run: build-release
	$(REL_DIR)/jobqd

bench: build-release
	bench/run-all $(REL_DIR) full

bench-smoke: build-release
	bench/run-all $(REL_DIR) smoke

format:
	clang-format -i $$(git ls-files '*.h' '*.cpp')

clean:
	rm -rf build
