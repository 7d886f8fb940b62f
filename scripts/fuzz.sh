#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (tests/fuzz/), then for each target:
#  1. replays every committed input of tests/fuzz/corpus/<target>/ — the
#     seeds and every crash ever found, kept as regression inputs;
#  2. fuzzes from there:
#     - FUZZ_RUNS=N: N inputs from a fixed seed (FUZZ_SEED, default 1), the
#       same every time — what the test command runs;
#     - otherwise open-ended, FUZZ_SECONDS per target (default 10).
# A crash fails the run; its input is saved under tests/fuzz/corpus/<target>/
# as regression-<name>, to be committed.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${FUZZ_BUILD_DIR:-build-fuzz}
CC=clang CXX=clang++ cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DWSC_FUZZ=ON -DWSC_TESTS=OFF >/dev/null
cmake --build "$BUILD" --target fuzzers -j"$(nproc)" >/dev/null
# The targets are listed once, in tests/fuzz/CMakeLists.txt.
targets=$(sed -n 's/^set(WSC_FUZZ_TARGETS \(.*\))$/\1/p' tests/fuzz/CMakeLists.txt)
if [ -n "${FUZZ_RUNS:-}" ]; then
  limit=(-seed="${FUZZ_SEED:-1}" -runs="$FUZZ_RUNS")
else
  limit=(-max_total_time="${FUZZ_SECONDS:-10}")
fi
failed=0
for t in $targets; do
  bin="$BUILD/tests/fuzz/fuzz_$t"
  corpus="tests/fuzz/corpus/$t"
  work=$(mktemp -d)
  # 1. Every committed input, once each.
  mapfile -t inputs < <(find "$corpus" -type f | sort)
  if ! "$bin" -timeout=10 -rss_limit_mb=2048 "${inputs[@]}" >"$work/replay.log" 2>&1; then
    failed=1
    echo "fuzz $t: a committed input FAILED"; tail -30 "$work/replay.log"
    rm -rf "$work"
    continue
  fi
  # 2. New inputs go to a scratch corpus; the committed ones are only read.
  if "$bin" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$work/" \
       -print_final_stats=1 "$work" "$corpus" >"$work/log" 2>&1; then
    echo "fuzz $t: ${#inputs[@]} committed inputs replayed;" \
      "$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" | grep -o '[0-9]*$') runs, no crash"
  else
    failed=1
    echo "fuzz $t: FAILED"; tail -30 "$work/log"
    for a in "$work"/crash-* "$work"/timeout-* "$work"/oom-*; do
      [ -e "$a" ] && cp "$a" "$corpus/regression-$(basename "$a")" && echo "saved $a"
    done
  fi
  rm -rf "$work"
done
exit $failed
