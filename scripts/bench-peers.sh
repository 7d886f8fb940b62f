#!/usr/bin/env bash
# Runs the same benchmark scenarios against wscenter and against reference
# servers on this machine, in the same run, with the same load generator
# (wscenter-bench), and prints every wscenter figure with its ratio to each
# peer. Every run's JSON line is appended to $RESULTS.
#
#   scripts/bench-peers.sh            # all scenarios, all peers
#
# Systems (each started fresh for every scenario on 127.0.0.1, stopped after):
#   wscenter  one registry and two wsnodes (Release build of this tree);
#             calls are POSTed to the registry's HTTP API.
#   socketio  two Node processes of bench/peers/socketio/server.js (Socket.IO
#             4 + @socket.io/redis-adapter) sharing one redis-server; calls are
#             POSTed to the first one, which takes wscenter's API requests and
#             emits (io.emit / io.to(id).emit).
#   pushpin   Pushpin (Debian package) with bench/peers/pushpin/origin.js as
#             its WebSocket-over-HTTP origin; calls are POSTed to Pushpin's HTTP
#             publish endpoint (/publish/).
#
# Installs what is missing: redis-server and pushpin (apt-get), node and npm
# (apt-get), the npm packages pinned in bench/peers/socketio/package-lock.json.
#
# Environment: PEERS (default "socketio pushpin"), SCENARIOS (default
# "ceiling memory fanout-1k fanout-5k fanout-10k rate-1k rate-5k unicast"),
# MEM_CLIENTS (5000), CALLS_1K (200), CALLS_5K (100), CALLS_10K (100),
# FANOUT_CONNS (16 publishers at once in fanout-10k), RATE_DELIVERIES (50000 per second),
# DURATION (5 s per timed run), CONNECT_WINDOW (64 handshakes at once),
# WARMUP_MS (500), BUILD_DIR (build-release), JOBS (2), WSC_BIN_DIR (use
# binaries of that build tree, skip building), RESULTS (bench/results-<UTC
# date>.jsonl). Exits 1 when a run failed or did not verify.
set -euo pipefail
cd "$(dirname "$0")/.."

PEERS=${PEERS:-socketio pushpin}
SCENARIOS=${SCENARIOS:-ceiling memory fanout-1k fanout-5k fanout-10k rate-1k rate-5k unicast}
FANOUT_CONNS=${FANOUT_CONNS:-16}
CALLS_10K=${CALLS_10K:-100}
MEM_CLIENTS=${MEM_CLIENTS:-5000}
CALLS_1K=${CALLS_1K:-200}
CALLS_5K=${CALLS_5K:-100}
RATE_DELIVERIES=${RATE_DELIVERIES:-50000}
DURATION=${DURATION:-5}
CONNECT_WINDOW=${CONNECT_WINDOW:-64}
WARMUP_MS=${WARMUP_MS:-500}
BUILD_DIR=${BUILD_DIR:-build-release}
JOBS=${JOBS:-2}
RESULTS=${RESULTS:-bench/results-$(date -u +%F).jsonl}
SOCKETIO_DIR=bench/peers/socketio
PUSHPIN_TEMPLATE=/usr/share/pushpin/pushpin.conf.condure
# Pushpin's shipped defaults throttle deliveries to 2 500 messages/s and drop
# past 25 000 queued: lifted, so that Pushpin is measured, not its throttle.
PUSHPIN_MESSAGE_RATE=0
PUSHPIN_MESSAGE_HWM=10000000
PUSHPIN_LOG_LEVEL=1 # warnings; wscenter runs with --log.level=warn
IDLE_MS=2000        # memory: idle time before reading RSS
WARMUP_CLIENTS=100  # the unmeasured load before each timed run
WARMUP_CALLS=300
HTTP_CONNS=8        # fixed-rate runs: HTTP connections the calls are spread over
UNICAST_CONNS=16

# --- installing ----------------------------------------------------------

as_root() { if ((EUID == 0)); then "$@"; else sudo "$@"; fi; }

apt_install() {
  echo "bench-peers: installing $* (apt-get)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null ||
    { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq "$@" >/dev/null; }
}

install_missing() {
  local want=()
  command -v redis-server >/dev/null || want+=(redis-server)
  command -v pushpin >/dev/null || want+=(pushpin)
  command -v node >/dev/null || want+=(nodejs)
  command -v npm >/dev/null || want+=(npm)
  ((${#want[@]} == 0)) || apt_install "${want[@]}"
  if [[ ! -d $SOCKETIO_DIR/node_modules ]]; then
    echo "bench-peers: npm install in $SOCKETIO_DIR"
    (cd "$SOCKETIO_DIR" && npm install --no-audit --no-fund --loglevel=error)
  fi
}

build() {
  if [[ -n ${WSC_BIN_DIR:-} ]]; then
    BIN=$WSC_BIN_DIR
  else
    BIN=$BUILD_DIR
    BUILD_DIR=$BUILD_DIR BUILD_TYPE=Release JOBS=$JOBS scripts/build.sh -DWSC_TESTS=OFF
  fi
  BENCH=$BIN/bench/wscenter-bench
  REGISTRY=$BIN/registry/wscenter-registry
  WSNODE=$BIN/wsnode/wscenter-wsnode
  for b in "$BENCH" "$REGISTRY" "$WSNODE"; do
    [[ -x $b ]] || { echo "bench-peers: $b is missing"; exit 1; }
  done
}

# --- starting and stopping ------------------------------------------------

started=() # process ids this script started and has not stopped yet

stop_all() {
  ((${#started[@]})) || return 0
  kill "${started[@]}" 2>/dev/null || true
  for pid in "${started[@]}"; do wait "$pid" 2>/dev/null || true; done
  started=()
}
trap stop_all EXIT INT TERM

# A TCP port free on 127.0.0.1 right now (for servers that cannot bind port 0
# and tell which port they got).
free_port() {
  node -e 'const s = require("net").createServer();
    s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# http_status PORT: the status code of GET / on 127.0.0.1:PORT, or nothing.
http_status() {
  local request='GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'
  (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf '%b' "$request" >&3 && timeout 2 head -c 12 <&3) \
    2>/dev/null | cut -d' ' -f2
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  for _ in $(seq 100); do
    port_open "$1" && return 0
    sleep 0.1
  done
  echo "bench-peers: nothing listens on port $1 ($2)"
  return 1
}

# launch NAME PATTERN COMMAND...: starts it in the background, waits for a
# stdout line matching PATTERN (none if PATTERN is empty); leaves the line in
# READY and the pid in PID.
launch() {
  local name=$1 pattern=$2
  shift 2
  "$@" >"$LOGS/$name.out" 2>"$LOGS/$name.log" &
  PID=$!
  started+=("$PID")
  [[ -n $pattern ]] || return 0
  for _ in $(seq 150); do
    READY=$(grep -m1 -E "$pattern" "$LOGS/$name.out" 2>/dev/null || true)
    [[ -n $READY ]] && return 0
    kill -0 "$PID" 2>/dev/null || { echo "$name failed:"; cat "$LOGS/$name.log"; exit 1; }
    sleep 0.1
  done
  echo "$name did not start in time"
  cat "$LOGS/$name.log"
  exit 1
}

field() { sed -n "s/.*$2=\([0-9a-f]*\).*/\1/p" <<<"$1"; }

# Each start_* sets TARGET: the wscenter-bench options that point at it.
start_wscenter() {
  launch registry " ready " "$REGISTRY" --registry.bus_port=0 --registry.bus_host=127.0.0.1 \
    --registry.http_port=0 --registry.http_host=127.0.0.1 --log.level=warn
  local bus http pids=$PID ws=""
  bus=$(field "$READY" bus_port)
  http=$(field "$READY" http_port)
  for n in 1 2; do
    launch "wsnode$n" " ready " "$WSNODE" --wsnode.port=0 --wsnode.host=127.0.0.1 \
      --wsnode.registries="$bus" --wsnode.connect_rate_per_ip=0 \
      --wsnode.max_connections=1000000 --log.level=warn
    ws+=${ws:+,}$(field "$READY" ws_port)
    pids+=,$PID
  done
  wait_wscenter_nodes "$http" 2
  TARGET=(--protocol=wscenter --ws="$ws" --http="$http" --method=post --pids="$pids")
}

# Until the registry lists COUNT nodes.
wait_wscenter_nodes() {
  local body request='GET /?event=getConnectionCount HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'
  for _ in $(seq 100); do
    body=$(exec 3<>"/dev/tcp/127.0.0.1/$1" 2>/dev/null && printf '%b' "$request" >&3 &&
      timeout 2 cat <&3) || true
    (($(grep -o '[0-9a-f]\{32\}' <<<"$body" | sort -u | wc -l) >= $2)) && return 0
    sleep 0.1
  done
  echo "bench-peers: the registry never saw $2 nodes"
  exit 1
}

start_socketio() {
  local redis_port ports="" pids
  redis_port=$(free_port)
  launch redis "Ready to accept connections" redis-server --port "$redis_port" \
    --bind 127.0.0.1 --save "" --appendonly no --logfile ""
  pids=$PID
  for n in 1 2; do
    launch "socketio$n" "ready port=" node "$SOCKETIO_DIR/server.js" --port=0 \
      --redis="$redis_port"
    ports+=${ports:+,}$(field "$READY" port)
    pids+=,$PID
  done
  TARGET=(--protocol=socketio --ws="$ports" --http="${ports%%,*}" --method=post --pids="$pids")
}

start_pushpin() {
  local dir=$LOGS/pushpin origin http publish children
  mkdir -p "$dir/run" "$dir/log"
  launch origin "ready port=" node bench/peers/pushpin/origin.js --port=0
  origin=$(field "$READY" port)
  local pids=$PID
  http=$(free_port)
  publish=$(free_port)
  echo "* 127.0.0.1:$origin,over_http" >"$dir/routes"
  # The packaged config with private ports and directories. The proxy's zurl
  # specs are pointed at the zurl this runner starts (the package expects a
  # system-wide zurl service).
  sed -e "s|^rundir=.*|rundir=$dir/run|" \
    -e "s|^services=.*|services=condure,zurl,pushpin-proxy,pushpin-handler|" \
    -e "s|^http_port=.*|http_port=127.0.0.1:$http|" \
    -e "s|^logdir=.*|logdir=$dir/log|" \
    -e "s|^log_level=.*|log_level=$PUSHPIN_LOG_LEVEL|" \
    -e "s|^\[proxy\]|[proxy]\nzurl_out_specs=ipc://{rundir}/{ipc_prefix}zurl-in\nzurl_out_stream_specs=ipc://{rundir}/{ipc_prefix}zurl-in-stream\nzurl_in_specs=ipc://{rundir}/{ipc_prefix}zurl-out|" \
    -e "s|^push_in_spec=.*|push_in_spec=tcp://127.0.0.1:$(free_port)|" \
    -e "s|^push_in_sub_specs=.*|push_in_sub_specs=tcp://127.0.0.1:$(free_port)|" \
    -e "s|^push_in_http_port=.*|push_in_http_port=$publish|" \
    -e "s|^command_spec=tcp:.*|command_spec=tcp://127.0.0.1:$(free_port)|" \
    -e "s|^message_rate=.*|message_rate=$PUSHPIN_MESSAGE_RATE|" \
    -e "s|^message_hwm=.*|message_hwm=$PUSHPIN_MESSAGE_HWM|" \
    "$PUSHPIN_TEMPLATE" >"$dir/pushpin.conf"
  launch pushpin "" pushpin --config="$dir/pushpin.conf" --merge-output
  pids+=,$PID
  wait_port "$publish" "pushpin publish"
  # Ready once a request goes through the proxy to the origin and back.
  for _ in $(seq 100); do
    [[ $(http_status "$http") == 200 ]] && break
    sleep 0.1
  done
  [[ $(http_status "$http") == 200 ]] ||
    { echo "bench-peers: pushpin does not reach its origin"; cat "$LOGS/pushpin.out"; exit 1; }
  # condure, zurl, pushpin-proxy and pushpin-handler are the runner's children.
  children=$(ps -o pid= --ppid "$PID" | tr -s ' \n' ',,' | sed 's/^,//;s/,$//')
  [[ $(tr ',' '\n' <<<"$children" | grep -c .) -ge 4 ]] ||
    { echo "bench-peers: pushpin started only '$children'"; cat "$LOGS/pushpin.out"; exit 1; }
  pids+=,$children
  TARGET=(--protocol=pushpin --ws="$http" --http="$publish" --method=post --pids="$pids")
}

# --- running -----------------------------------------------------------------

failures=0

# bench SYSTEM SCENARIO BENCH_ARGS...: one wscenter-bench run; its JSON line
# is kept as LINE_<scenario>_<system> and appended to $RESULTS.
bench() {
  local system=$1 scenario=$2 label rc=0
  shift 2
  label="peers@$RUN_ID/$scenario/$system"
  echo "--- $label (load: $(cut -d' ' -f1-3 /proc/loadavg))"
  "$BENCH" "$@" --label="$label" >"$LOGS/$system-$scenario.txt" 2>&1 || rc=$?
  local line
  line=$(grep -h '^{"scenario"' "$LOGS/$system-$scenario.txt" || true)
  if [[ -n $line ]]; then
    echo "$line" >>"$RESULTS"
    printf -v "LINE_${scenario//-/_}_$system" '%s' "$line"
    printf '    %s\n' "$(summary_of "$line")"
  fi
  if ((rc != 0)); then
    echo "!!! $label: exit code $rc"
    grep -v '^{' "$LOGS/$system-$scenario.txt" | grep -E 'wscenter-bench:|verified|first_error' || true
    failures=$((failures + 1))
  fi
}

# scenario_args SCENARIO: the wscenter-bench arguments of a scenario.
scenario_args() {
  local common=(--connect_window="$CONNECT_WINDOW" --warmup_ms="$WARMUP_MS" --via=http)
  case $1 in
    memory) ARGS=(connections --clients="$MEM_CLIENTS" --connect_window="$CONNECT_WINDOW"
      --idle_ms="$IDLE_MS") ;;
    fanout-1k) ARGS=(fanout "${common[@]}" --clients=1000 --event=broadcast --conns=1
      --calls="$CALLS_1K") ;;
    fanout-5k) ARGS=(fanout "${common[@]}" --clients=5000 --event=broadcast --conns=1
      --calls="$CALLS_5K") ;;
    # Many publishers at once: what a system delivers when calls overlap.
    fanout-10k) ARGS=(fanout "${common[@]}" --clients=10000 --event=broadcast
      --conns="$FANOUT_CONNS" --calls="$CALLS_10K") ;;
    rate-1k) ARGS=(fanout "${common[@]}" --clients=1000 --event=broadcast --conns="$HTTP_CONNS"
      --rate="$(awk "BEGIN{print $RATE_DELIVERIES/1000}")" --duration="$DURATION") ;;
    rate-5k) ARGS=(fanout "${common[@]}" --clients=5000 --event=broadcast --conns="$HTTP_CONNS"
      --rate="$(awk "BEGIN{print $RATE_DELIVERIES/5000}")" --duration="$DURATION") ;;
    unicast) ARGS=(unicast "${common[@]}" --clients=1000 --event=_id --conns="$UNICAST_CONNS"
      --duration="$DURATION") ;;
    *) echo "bench-peers: unknown scenario '$1'"; exit 2 ;;
  esac
}

run_scenario() {
  local scenario=$1
  if [[ $scenario == ceiling ]]; then
    # The tool against its own trivial server, one frame per write like the servers.
    bench tool ceiling ceiling --clients=1000 --messages=1000 --size=64 --batch=1
    return
  fi
  scenario_args "$scenario"
  for system in wscenter $PEERS; do
    "start_$system"
    [[ $scenario == memory ]] || warm_up "$system"
    bench "$system" "$scenario" "${ARGS[@]}" "${TARGET[@]}"
    stop_all
  done
}

# warm_up SYSTEM: the same short unmeasured load on every fresh system before a
# timed run, so that Node's JIT has compiled the hot paths (native servers do
# not need it, but get it too).
warm_up() {
  local common=(--clients="$WARMUP_CLIENTS" --connect_window="$CONNECT_WINDOW" --via=http
    --warmup_ms="$WARMUP_MS")
  if ! "$BENCH" fanout "${common[@]}" --event=broadcast --conns=1 --calls="$WARMUP_CALLS" \
    "${TARGET[@]}" >"$LOGS/$1-warmup.txt" 2>&1 ||
    ! "$BENCH" unicast "${common[@]}" --event=_id --conns=4 --calls="$WARMUP_CALLS" \
      "${TARGET[@]}" >>"$LOGS/$1-warmup.txt" 2>&1; then
    echo "!!! $1: warm-up failed"
    grep -E 'wscenter-bench:|verified|first_error' "$LOGS/$1-warmup.txt" || true
  fi
}

# --- reporting -----------------------------------------------------------------

json_get() {
  local v
  v=$(sed -n "s/.*\"$2\":\"\{0,1\}\([^,\"}]*\).*/\1/p" <<<"$1")
  echo "${v:--}"
}

summary_of() {
  local l=$1
  if [[ $l == *'"scenario":"connections"'* ]]; then
    echo "open $(json_get "$l" clients_open), $(json_get "$l" node_bytes_per_conn) B/conn" \
      "(all server processes), verified $(json_get "$l" verified)"
  else
    echo "deliveries/s $(json_get "$l" deliveries_per_s), calls/s $(json_get "$l" calls_per_s)," \
      "e2e p50/p99/max $(json_get "$l" e2e_p50_ms)/$(json_get "$l" e2e_p99_ms)/$(json_get "$l" \
      e2e_max_ms) ms, servers $(json_get "$l" nodes_cpu_pct)% CPU, reader" \
      "$(json_get "$l" reader_cpu_pct)%, verified $(json_get "$l" verified)"
  fi
}

# ratio W P BETTER: how many times better wscenter's W is than the peer's P
# (BETTER is "high" or "low"); "-" when either is missing.
ratio() {
  awk -v w="$1" -v p="$2" -v better="$3" 'BEGIN {
    if (w == "-" || p == "-" || w + 0 <= 0 || p + 0 <= 0) { print "-"; exit }
    r = better == "high" ? w / p : p / w
    printf(r >= 10 ? "%.0fx" : "%.2fx", r) }'
}

name_of() {
  case $1 in socketio) echo "socket.io" ;; *) echo "$1" ;; esac
}

# figure SCENARIO KEY UNIT BETTER TITLE: one line, wscenter's figure and each peer's with the ratio.
figure() {
  local scenario=${1//-/_} key=$2 unit=$3 better=$4 title=$5 var w p out flag
  var=LINE_${scenario}_wscenter
  [[ -n ${!var:-} ]] || return 0
  w=$(json_get "${!var}" "$key")
  flag=$([[ $(json_get "${!var}" verified) == yes ]] || echo " NOT VERIFIED")
  out="$title: wscenter $w$unit$flag"
  for peer in $PEERS; do
    var=LINE_${scenario}_$peer
    [[ -n ${!var:-} ]] || { out+=", $(name_of "$peer") (no result)"; continue; }
    p=$(json_get "${!var}" "$key")
    flag=$([[ $(json_get "${!var}" verified) == yes ]] || echo " NOT VERIFIED")
    out+=", $(name_of "$peer") $p$unit$flag ($(ratio "$w" "$p" "$better"))"
  done
  echo "$out"
}

report() {
  echo
  echo "=== wscenter against its peers (ratio = how many times better wscenter is;" \
    "below 1x it is worse) ==="
  [[ -n ${LINE_ceiling_tool:-} ]] &&
    echo "load tool ceiling (trivial server, 1 frame per write): $(json_get "$LINE_ceiling_tool" \
      deliveries_per_s) deliveries/s"
  figure memory node_bytes_per_conn " B" low "idle memory per connection ($MEM_CLIENTS clients)"
  figure fanout-10k deliveries_per_s "/s" high \
    "fanout 10k clients ($FANOUT_CONNS HTTP conns), deliveries"
  figure fanout-10k e2e_p99_ms " ms" low "fanout 10k clients ($FANOUT_CONNS HTTP conns), e2e p99"
  for n in 1k 5k; do
    figure "fanout-$n" deliveries_per_s "/s" high "fanout $n clients, deliveries"
    figure "fanout-$n" e2e_p50_ms " ms" low "fanout $n clients, e2e p50"
    figure "fanout-$n" e2e_p99_ms " ms" low "fanout $n clients, e2e p99"
    figure "fanout-$n" e2e_max_ms " ms" low "fanout $n clients, e2e max"
  done
  for n in 1k 5k; do
    figure "rate-$n" deliveries_per_s "/s" high "$RATE_DELIVERIES/s to $n clients, achieved"
    figure "rate-$n" e2e_p50_ms " ms" low "$RATE_DELIVERIES/s to $n clients, e2e p50"
    figure "rate-$n" e2e_p99_ms " ms" low "$RATE_DELIVERIES/s to $n clients, e2e p99"
  done
  figure unicast calls_per_s "/s" high "unicast to 1k clients ($UNICAST_CONNS HTTP conns), calls"
  figure unicast e2e_p99_ms " ms" low "unicast, delivery p99"
  echo "(JSON lines in $RESULTS; logs in $LOGS)"
}

install_missing
build
ulimit -n "$(ulimit -Hn)"
mkdir -p "$(dirname "$RESULTS")"
LOGS=$(mktemp -d /tmp/wscenter-bench-peers.XXXXXX)
RUN_ID=$(date -u +%FT%TZ)
echo "wscenter bench-peers $RUN_ID: $(nproc) cores ($(sed -n 's/^model name\s*: //p' \
  /proc/cpuinfo | head -1)), kernel $(uname -r), fd limit $(ulimit -n), load $(cut -d' ' -f1-3 \
  /proc/loadavg)"
echo "peers: socket.io $(node -p "require('./$SOCKETIO_DIR/node_modules/socket.io/package.json').version") \
(node $(node --version), redis $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p')), \
$(pushpin --version)"
for scenario in $SCENARIOS; do run_scenario "$scenario"; done
report
exit $((failures > 0))
