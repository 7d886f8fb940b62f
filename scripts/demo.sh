#!/usr/bin/env bash
# Sets up, builds and starts the demo cluster from config/: 3 registries and
# 2 wsnodes on 127.0.0.1. Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh -DWSC_TESTS=OFF
BIN=${BUILD_DIR:-build}
LOGS=$(mktemp -d /tmp/wscenter-demo.XXXXXX)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

start() {  # name binary config
  "$BIN/$2" --config "config/$3" >"$LOGS/$1.out" 2>"$LOGS/$1.log" &
  pids+=($!)
  for _ in $(seq 100); do
    grep -q " ready " "$LOGS/$1.out" 2>/dev/null && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || { echo "$1 failed:"; cat "$LOGS/$1.log"; exit 1; }
    sleep 0.1
  done
  echo "$1 did not start in time"; cat "$LOGS/$1.log"; exit 1
}

for i in 1 2 3; do start "registry$i" registry/wscenter-registry "registry$i.ini"; done
for i in 1 2; do start "wsnode$i" wsnode/wscenter-wsnode "wsnode$i.ini"; done

cat <<INFO

wscenter demo cluster is up (logs in $LOGS)
  HTTP API:   http://127.0.0.1:8011/  http://127.0.0.1:8013/  http://127.0.0.1:8015/
  WebSocket:  ws://127.0.0.1:8090/    ws://127.0.0.1:8091/
  Demo page:  http://127.0.0.1:8011/ui/
  Try:        curl 'http://127.0.0.1:8011/?event=getConnectionCount'
Press Ctrl-C to stop.
INFO
wait -n "${pids[@]}"
echo "a process exited; stopping the cluster"
