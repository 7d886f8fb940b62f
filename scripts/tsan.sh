#!/usr/bin/env bash
# ThreadSanitizer build (build-tsan) and run of the threaded parts: every
# unit test, then the integration tests whose traffic crosses the threads
# of the programs — the registry's thread (HTTP server and broker on one
# loop) with its stop and drain from other threads, the
# wsnode's thread and libzmq's I/O thread under it, the node's stop from
# another thread (lws_cancel_service), and the node embedded as a library
# with its handlers, the webhook sender's thread and its mailbox; then a 30 s soak
# (TSAN_SOAK_SECONDS).
#
# The registries and wsnodes those tests start inherit TSAN_OPTIONS, so a
# race in a server fails the run too: every process writes its reports to
# its own file under $TSAN_LOG_DIR, and any such file fails the script,
# whatever the test saw. tests/tsan.supp holds the suppressions (only
# uninstrumented libraries, each explained there).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
BUILD_DIR=${TSAN_BUILD_DIR:-build-tsan}
# No -Werror: gcc warns (-Wtsan) about constructs TSan cannot model, such
# as a fence in a library header; scripts/test.sh's build enforces warnings.
BUILD_DIR=$BUILD_DIR BUILD_TYPE=RelWithDebInfo scripts/build.sh -DWSC_TSAN=ON -DWSC_TESTS=ON
log_dir=${TSAN_LOG_DIR:-$(mktemp -d /tmp/wsc-tsan.XXXXXX)}
rm -f "$log_dir"/tsan.*
export TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp halt_on_error=1 exitcode=66 second_deadlock_stack=1 log_path=$log_dir/tsan ${TSAN_OPTIONS:-}"
# The integration tests of the threaded bridges (not the federation ones:
# those add processes, not threads).
threaded='^(ApiEvents|ApiErrors|Cli|Upstream|WsNode[A-Za-z]*|Embedding|HostileHttp|RegistryStop|Conformance[A-Za-z]*|WebhookSender)\.'
status=0
(cd "$BUILD_DIR" && ctest --output-on-failure -L unit -j"$(nproc)") || status=$?
(cd "$BUILD_DIR" && ctest --output-on-failure -L integration -R "$threaded" --timeout 300) || status=$?
# A short soak: every thread of every program busy at once, with restarts.
(cd "$BUILD_DIR" && WSC_SOAK_SECONDS=${TSAN_SOAK_SECONDS:-30} \
  ctest --output-on-failure -L soak --timeout 300) || status=$?
if compgen -G "$log_dir/tsan.*" >/dev/null; then
  echo "tsan: reports in $log_dir:"
  for f in "$log_dir"/tsan.*; do echo "== $f"; head -60 "$f"; done
  status=1
else
  echo "tsan: no race reported"
  [ -z "${TSAN_LOG_DIR:-}" ] && rm -rf "$log_dir"
fi
exit "$status"
