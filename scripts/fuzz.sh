#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a few seconds
# (FUZZ_SECONDS, default 10). A crash fails the run; its input is saved under
# tests/fuzz/corpus/<target>/ to be kept as a regression input.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${FUZZ_SECONDS:-10}
BUILD=${FUZZ_BUILD_DIR:-build-fuzz}
CC=clang CXX=clang++ cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DWSC_FUZZ=ON -DWSC_TESTS=OFF >/dev/null
cmake --build "$BUILD" --target fuzzers -j"$(nproc)" >/dev/null
failed=0
for t in bus_codec params config node_api ws_frames; do
  work=$(mktemp -d)
  # New inputs go to a scratch corpus; the committed seeds are only read.
  if "$BUILD/tests/fuzz/fuzz_$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$work/" -print_final_stats=1 "$work" "tests/fuzz/corpus/$t" \
       >"$work/log" 2>&1; then
    echo "fuzz $t: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" | grep -o '[0-9]*$') runs, no crash"
  else
    failed=1
    echo "fuzz $t: FAILED"; tail -30 "$work/log"
    for a in "$work"/crash-* "$work"/timeout-* "$work"/oom-*; do
      [ -e "$a" ] && cp "$a" "tests/fuzz/corpus/$t/regression-$(basename "$a")" && echo "saved $a"
    done
  fi
  rm -rf "$work"
done
exit $failed
