#!/usr/bin/env bash
# Sets up, builds and runs every test. The build is the ASan+UBSan one with
# warnings as errors, so every test — unit, integration (real registries and
# wsnodes), a short soak, the browser test — also runs under the sanitizers.
# Then every fuzz corpus is replayed and each libFuzzer target gets a short,
# fixed-seed run: the same inputs on every machine.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# Formatting and the layout rules (folder layering, file sizes) come first:
# they take seconds.
scripts/format.sh
python3 scripts/check_layout.py
export BUILD_DIR=${BUILD_DIR:-build-asan}
# Leaks and undefined behaviour fail the run, in the test binaries and in
# every server process they start.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
BUILD_TYPE=Debug scripts/build.sh -DWSC_WERROR=ON -DWSC_TESTS=ON -DWSC_SANITIZE=ON
(cd "$BUILD_DIR" && ctest --output-on-failure -L unit -j"$(nproc)")
(cd "$BUILD_DIR" && ctest --output-on-failure -L integration --timeout 300)
# A short soak: churn, calls and broadcasts while registries and a wsnode
# are killed and restarted (scripts/soak.sh; 150 s when run alone).
WSC_SOAK_BUILT=1 WSC_SOAK_SECONDS=${WSC_SOAK_SECONDS:-60} scripts/soak.sh
# ThreadSanitizer (a second full build and the threaded tests) is
# scripts/tsan.sh, which CI runs after this script.
# The browser demo, driven by headless Chromium (installs what it needs).
tests/e2e/run.sh
# Every parser of untrusted input: its committed inputs replayed, then a
# fixed-seed run (open-ended fuzzing: scripts/fuzz.sh without FUZZ_RUNS).
FUZZ_RUNS=${FUZZ_RUNS:-20000} scripts/fuzz.sh
