#!/usr/bin/env bash
# Builds the ASan+UBSan test build (the one scripts/test.sh uses) and runs
# the soak test: connection churn, API calls and broadcasts for
# WSC_SOAK_SECONDS (default 150) while registries and a wsnode are killed
# and restarted; then it checks that nothing crashed or leaked, memory
# settled and every acknowledged message arrived exactly once.
# See tests/integration/soak_test.cpp.
set -euo pipefail
cd "$(dirname "$0")/.."
export BUILD_DIR=${BUILD_DIR:-build-asan}
export WSC_SOAK_SECONDS=${WSC_SOAK_SECONDS:-150}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# scripts/test.sh has just built it (WSC_SOAK_BUILT=1): configuring again
# would make CMake rewrite the libzmq flags and rebuild most of the tree.
if [[ -z ${WSC_SOAK_BUILT:-} ]]; then
  scripts/setup.sh
  BUILD_TYPE=Debug scripts/build.sh -DWSC_WERROR=ON -DWSC_TESTS=ON -DWSC_SANITIZE=ON
fi
# On top of the run: start-up, the wait for the last deliveries, shutdown.
limit=$((WSC_SOAK_SECONDS + 180))
start=$(date +%s)
status=0
(cd "$BUILD_DIR" && ctest -L soak --verbose --timeout "$limit") || status=$?
echo "soak: ${WSC_SOAK_SECONDS} s of load, $(($(date +%s) - start)) s in all"
exit "$status"
