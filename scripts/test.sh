#!/usr/bin/env bash
# Sets up, builds (warnings are errors) and runs every test: unit tests first,
# then the integration tests that start real registries and wsnodes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
BUILD_DIR=${BUILD_DIR:-build} scripts/build.sh -DWSC_WERROR=ON -DWSC_TESTS=ON
(cd "${BUILD_DIR:-build}" && ctest --output-on-failure -L unit -j"$(nproc)")
(cd "${BUILD_DIR:-build}" && ctest --output-on-failure -L integration --timeout 300)
# The browser demo, driven by headless Chromium (installs what it needs).
BUILD_DIR="${BUILD_DIR:-build}" tests/e2e/run.sh
