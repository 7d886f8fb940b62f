#!/usr/bin/env bash
# Builds wscenter in Release (build-release/), starts the clusters each
# benchmark needs on 127.0.0.1 with ephemeral ports, runs wscenter-bench and
# prints a summary table. Every scenario's JSON line is appended to
# $RESULTS (default build-release/bench-results.jsonl).
#
#   scripts/bench.sh [all|ceiling|connections|fanout|unicast|receipts|federation|scaleout|latency] ...
#
# latency: delivery latency at fixed broadcast rates beside the machine's
# floor. For each setting (clients x broadcasts/s) a fresh registry and 2
# wsnodes; ROUNDS rounds, each a wscenter run (HTTP broadcasts, as
# fanout-1k-50kps-http) followed by a floor run (the bench's trivial server:
# one thread, one send() per delivery) with the same clients, rate and
# duration. Prints e2e p50/p99/p99.9 of both, wscenter p99 / floor p99, server
# CPU per delivery of both, and per setting the worst wscenter p99 against the
# floor's median p99; then the per-call latency of sendMessageTo_Id over one
# HTTP connection, one call at a time. `all` leaves it out (a few minutes).
#
# receipts: sendMessageTo_Id to 1 000 clients on 2 wsnodes over HTTP, one
# call at a time and 16 connections as fast as they go, each without and with
# ack=1000 (delivery receipts: the call returns when the client acked), ROUNDS
# rounds alternating the two; prints acked sends/s against plain calls/s and
# the latency of both, per round and their medians.
#
# Environment: JOBS (build jobs, default 1), BUILD_DIR (default build-release),
# WSC_BIN_DIR (use binaries from this build tree, skip building),
# RESULTS (JSON lines file), DURATION (seconds per timed run, default 5),
# NODES (scaleout: the cluster sizes, default "1 2 8 16 32"),
# SCALEOUT_CLIENTS (scaleout: clients in all, at least one per node, default 64),
# ROUNDS (latency: rounds per setting, receipts: rounds per connection count; default 3),
# LATENCY_SETTINGS (latency: "clients:broadcasts/s" items, default
# "1000:10 1000:50 5000:10 5000:50").
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build-release}
JOBS=${JOBS:-1}
DURATION=${DURATION:-5}
NODES=${NODES:-1 2 8 16 32}
SCALEOUT_CLIENTS=${SCALEOUT_CLIENTS:-64}
ROUNDS=${ROUNDS:-3}
LATENCY_SETTINGS=${LATENCY_SETTINGS:-1000:10 1000:50 5000:10 5000:50}
RESULTS=${RESULTS:-$BUILD_DIR/bench-results.jsonl}
WANTED_FDS=200000

if [[ -n "${WSC_BIN_DIR:-}" ]]; then
  BIN=$WSC_BIN_DIR
else
  BIN=$BUILD_DIR
  grep -q 'add_subdirectory(bench)' CMakeLists.txt ||
    { echo "bench.sh: add add_subdirectory(bench) to CMakeLists.txt first"; exit 1; }
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DWSC_TESTS=OFF >/dev/null
  cmake --build "$BUILD_DIR" -j"$JOBS" --target wscenter-bench wscenter-registry wscenter-wsnode
fi
BENCH=$BIN/bench/wscenter-bench
REGISTRY=$BIN/registry/wscenter-registry
WSNODE=$BIN/wsnode/wscenter-wsnode
for b in "$BENCH" "$REGISTRY" "$WSNODE"; do
  [[ -x $b ]] || { echo "bench.sh: $b is missing (is bench/ in the top CMakeLists.txt?)"; exit 1; }
done

# Each connection is a descriptor in the bench and one in a node.
ulimit -n "$WANTED_FDS" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
FD_LIMIT=$(ulimit -n)

mkdir -p "$(dirname "$RESULTS")"
LOGS=$(mktemp -d /tmp/wscenter-bench.XXXXXX)
cluster_pids=()
labels=()
failures=0

stop_cluster() {
  ((${#cluster_pids[@]})) || return 0
  kill "${cluster_pids[@]}" 2>/dev/null || true
  for pid in "${cluster_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  cluster_pids=()
}
trap stop_cluster EXIT INT TERM

# start NAME BINARY ARGS... : waits for the "ready" line; leaves it in READY
# and the process id in PID.
start() {
  local name=$1 bin=$2
  shift 2
  # Emptied here, not by the redirect below: that one runs in the background
  # and a restart under the same name could read the last run's ready line.
  : >"$LOGS/$name.out"
  "$bin" "$@" --log.level=warn >"$LOGS/$name.out" 2>"$LOGS/$name.log" &
  PID=$!
  cluster_pids+=("$PID")
  for _ in $(seq 100); do
    READY=$(grep -m1 " ready " "$LOGS/$name.out" 2>/dev/null || true)
    [[ -n $READY ]] && return 0
    kill -0 "$PID" 2>/dev/null || { echo "$name failed:"; cat "$LOGS/$name.log"; exit 1; }
    sleep 0.1
  done
  echo "$name did not start in time"; cat "$LOGS/$name.log"; exit 1
}

field() { sed -n "s/.*$2=\([0-9a-f]*\).*/\1/p" <<<"$1"; }

# start_registry NAME [PEER_BUS_PORTS]: sets BUS_<NAME>, HTTP_<NAME>, PID_<NAME>.
start_registry() {
  start "$1" "$REGISTRY" --registry.bus_port=0 --registry.bus_host=127.0.0.1 \
    --registry.http_port=0 --registry.http_host=127.0.0.1 --registry.peers="${2:-}"
  printf -v "BUS_$1" '%s' "$(field "$READY" bus_port)"
  printf -v "HTTP_$1" '%s' "$(field "$READY" http_port)"
  printf -v "PID_$1" '%s' "$PID"
}

# start_wsnode NAME REGISTRY_BUS_PORTS: sets WS_<NAME>, PID_<NAME>.
start_wsnode() {
  start "$1" "$WSNODE" --wsnode.port=0 --wsnode.host=127.0.0.1 --wsnode.registries="$2" \
    --wsnode.connect_rate_per_ip=0 --wsnode.max_connections=1000000
  printf -v "WS_$1" '%s' "$(field "$READY" ws_port)"
  printf -v "PID_$1" '%s' "$PID"
}

# comma_list ITEMS...: "a,b,c".
comma_list() {
  local IFS=,
  echo "$*"
}

# wait_nodes HTTP_PORT COUNT: until that registry lists COUNT nodes (federation settles).
wait_nodes() {
  local body ids request
  request='GET /?event=getConnectionCount HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'
  for _ in $(seq 100); do
    body=$(exec 3<>"/dev/tcp/127.0.0.1/$1" 2>/dev/null && printf "$request" >&3 &&
      timeout 2 cat <&3) || true
    ids=$(sed -n 's/.*"master_ids":\[\([^]]*\)\].*/\1/p' <<<"$body" |
      grep -o '[0-9a-f]\{32\}' | wc -l) || true
    ((ids >= $2)) && return 0
    sleep 0.1
  done
  echo "registry on HTTP port $1 never saw $2 nodes"; exit 1
}

# run LABEL SCENARIO ARGS...: one bench run; its JSON line goes to $RESULTS.
run() {
  local label=$1
  shift
  labels+=("$label")
  echo "--- $label (load: $(cut -d' ' -f1-3 /proc/loadavg))"
  local rc=0
  "$BENCH" "$@" --label="$label" >"$LOGS/$label.txt" 2>&1 || rc=$?
  grep -v '^{' "$LOGS/$label.txt" || true
  grep '^{"scenario"' "$LOGS/$label.txt" >>"$RESULTS" || true
  if ((rc != 0)); then
    echo "!!! $label: exit code $rc"
    failures=$((failures + 1))
  fi
}

run_ceiling() {
  # batch 16: many frames per read; batch 1: one frame per server write, like a node.
  run ceiling-1k ceiling --clients=1000 --messages=2000 --size=64 --batch=16
  run ceiling-1k-batch1 ceiling --clients=1000 --messages=1000 --size=64 --batch=1
  run ceiling-connect-10k ceiling --clients=10000 --messages=10 --size=64
}

run_connections() {
  start_registry R1
  start_wsnode N1 "$BUS_R1"
  run connections-10k connections --ws="$WS_N1" --pids="$PID_N1" --clients=10000
  # Both the bench and the node hold one descriptor per connection.
  local max=$((FD_LIMIT - 1000))
  ((max > 50000)) && max=50000
  if ((max > 10000)); then
    stop_cluster
    start_registry R1
    start_wsnode N1 "$BUS_R1"
    run "connections-$max" connections --ws="$WS_N1" --pids="$PID_N1" --clients="$max" \
      --sources=32
  fi
  stop_cluster
}

# start_pair: one registry and two wsnodes; their bench options in PAIR.
start_pair() {
  start_registry R1
  start_wsnode N1 "$BUS_R1"
  start_wsnode N2 "$BUS_R1"
  wait_nodes "$HTTP_R1" 2
  PAIR=(--ws="$WS_N1,$WS_N2" --pids="$PID_N1,$PID_N2" --registry_pids="$PID_R1"
    --http="$HTTP_R1" --bus="$BUS_R1")
}

run_fanout() {
  start_pair
  local common=("${PAIR[@]}")
  for n in 1000 5000; do
    local k=$((n / 1000))k
    run "fanout-$k-broadcast-http" fanout "${common[@]}" --clients=$n --event=broadcast \
      --via=http --conns=1 --calls=200
    run "fanout-$k-broadcast-bus" fanout "${common[@]}" --clients=$n --event=broadcast \
      --via=bus --conns=16 --calls=200
    run "fanout-$k-group-http" fanout "${common[@]}" --clients=$n --event=group --groups=10 \
      --via=http --conns=1 --calls=200
    run "fanout-$k-group-bus" fanout "${common[@]}" --clients=$n --event=group --groups=10 \
      --via=bus --conns=16 --calls=200
  done
  run fanout-1k-broadcast-http-post fanout "${common[@]}" --clients=1000 --event=broadcast \
    --via=http --method=post --conns=1 --calls=200
  # 50 broadcasts/s to 1 000 clients = 50 000 deliveries/s.
  run fanout-1k-50kps-http fanout "${common[@]}" --clients=1000 --event=broadcast \
    --via=http --conns=8 --rate=50 --duration="$DURATION"
  run fanout-1k-50kps-bus fanout "${common[@]}" --clients=1000 --event=broadcast \
    --via=bus --conns=64 --rate=50 --duration="$DURATION"
  # 10 broadcasts/s to 5 000 clients: the same 50 000 deliveries/s.
  run fanout-5k-50kps-http fanout "${common[@]}" --clients=5000 --event=broadcast \
    --via=http --conns=8 --rate=10 --duration="$DURATION"
  # The headline: 10 000 clients on the 2 nodes, back-to-back broadcasts.
  run fanout-10k-broadcast-bus fanout "${common[@]}" --clients=10000 --event=broadcast \
    --via=bus --conns=16 --calls=300
  run fanout-10k-broadcast-http-post fanout "${common[@]}" --clients=10000 --event=broadcast \
    --via=http --method=post --conns=16 --calls=300
  stop_cluster
}

run_unicast() {
  start_pair
  local common=("${PAIR[@]}" --clients=1000 --duration="$DURATION")
  run unicast-_id-max-http unicast "${common[@]}" --event=_id --via=http --conns=16
  run unicast-id-max-http unicast "${common[@]}" --event=id --via=http --conns=16
  run unicast-_id-max-bus unicast "${common[@]}" --event=_id --via=bus --conns=64
  run unicast-_id-1kps-http unicast "${common[@]}" --event=_id --via=http --conns=16 --rate=1000
  stop_cluster
}

# Plain and receipted unicast side by side on one pair: ROUNDS rounds, each
# alternating the two, so that whatever else loads the machine falls on both.
run_receipts() {
  local c r
  start_pair
  for c in 1 16; do
    for ((r = 1; r <= ROUNDS; r++)); do
      run "receipts-c$c-r$r-plain" unicast "${PAIR[@]}" --clients=1000 --event=_id --via=http \
        --conns="$c" --duration="$DURATION"
      run "receipts-c$c-r$r-ack" unicast "${PAIR[@]}" --clients=1000 --event=_id --via=http \
        --conns="$c" --duration="$DURATION" --ack=1000
    done
  done
  stop_cluster
}

# R1 - R2, the node on R2: calls to R2 go one hop, calls to R1 two.
run_federation() {
  start_registry R1
  start_registry R2 "$BUS_R1"
  start_wsnode N1 "$BUS_R2"
  wait_nodes "$HTTP_R1" 1
  local common=(--ws="$WS_N1" --pids="$PID_N1" --registry_pids="$PID_R1,$PID_R2" --clients=1000
    --duration="$DURATION" --event=_id --via=http --conns=16)
  run fed-direct-1kps unicast "${common[@]}" --http="$HTTP_R2" --rate=1000
  run fed-2hop-1kps unicast "${common[@]}" --http="$HTTP_R1" --rate=1000
  run fed-direct-max unicast "${common[@]}" --http="$HTTP_R2"
  run fed-2hop-max unicast "${common[@]}" --http="$HTTP_R1"
  stop_cluster
}

# For each count in $NODES: one registry and that many wsnodes; targeted calls
# of each kind through the registry's HTTP API, 16 connections as fast as they go.
run_scaleout() {
  local n i kind ws pids ids
  for n in $NODES; do
    start_registry R1
    ws=() pids=() ids=()
    for ((i = 1; i <= n; i++)); do
      start_wsnode "N$i" "$BUS_R1"
      ws+=("$(field "$READY" ws_port)") pids+=("$PID") ids+=("$(field "$READY" node)")
    done
    wait_nodes "$HTTP_R1" "$n"
    local common=(--ws="$(comma_list "${ws[@]}")" --pids="$(comma_list "${pids[@]}")"
      --node_ids="$(comma_list "${ids[@]}")" --registry_pids="$PID_R1" --http="$HTTP_R1"
      --bus="$BUS_R1" --clients=$((n > SCALEOUT_CLIENTS ? n : SCALEOUT_CLIENTS)) --group_size=4
      --duration="$DURATION" --via=http --conns=16)
    for kind in _id id group; do
      run "scaleout-${n}n-$kind" scaleout "${common[@]}" --event="$kind"
    done
    stop_cluster
  done
}

# For each of $LATENCY_SETTINGS a fresh pair; ROUNDS rounds of wscenter then
# the floor, interleaved so that whatever else loads the machine falls on
# both alike. Then the API's own latency: one connection, one call at a time.
# shellcheck disable=SC2317  # called as "run_$part"
run_latency() {
  local setting n rate r
  for setting in $LATENCY_SETTINGS; do
    n=${setting%:*} rate=${setting#*:}
    start_pair
    for ((r = 1; r <= ROUNDS; r++)); do
      run "latency-$n-${rate}ps-r$r-wscenter" fanout "${PAIR[@]}" --clients="$n" \
        --event=broadcast --via=http --conns=8 --rate="$rate" --duration="$DURATION"
      run "latency-$n-${rate}ps-r$r-floor" floor --clients="$n" --rate="$rate" \
        --duration="$DURATION"
    done
    stop_cluster
  done
  start_pair
  run latency-api-sequential unicast "${PAIR[@]}" --clients=1000 --event=_id --via=http \
    --conns=1 --duration="$DURATION"
  stop_cluster
}

# json_get LINE KEY: a flat JSON line's value for KEY, or "-".
json_get() {
  local v
  v=$(sed -n "s/.*\"$2\":\"\{0,1\}\([^,\"}]*\).*/\1/p" <<<"$1")
  echo "${v:--}"
}

# result_of LABEL: that run's JSON line, or "" when it has none.
result_of() {
  grep -h '^{"scenario"' "$LOGS/$1.txt" 2>/dev/null || true
}

# ratio A B [DECIMALS]: A / B, or "-" when either is missing or zero.
ratio() {
  awk -v a="$1" -v b="$2" -v d="${3:-1}" \
    'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%." d "f", a / b; else print "-" }'
}

# stat_of max|median VALUES...: of those that are numbers, "-" if none is.
stat_of() {
  local how=$1
  shift
  printf '%s\n' "$@" | { grep -E '^[0-9.]+$' || true; } | sort -g | awk -v how="$how" '
    { v[NR] = $1 }
    END {
      if (NR == 0) print "-"
      else if (how == "max") print v[NR]
      else if (NR % 2) print v[(NR + 1) / 2]
      else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2
    }'
}

# row FORMAT LINE KEY...: one summary row of those keys.
row() {
  local format=$1 line=$2 values=()
  shift 2
  for key in "$@"; do values+=("$(json_get "$line" "$key")"); done
  # shellcheck disable=SC2059
  printf "$format" "${values[@]}"
}

# The scaleout runs as one row per cluster size: calls/s, call p99, bus
# Requests per call and calls/s against the first size, for each call kind.
scaleout_summary() {
  local n kind line calls p99 rpc ok base_id='' base_group='' base_uid='' base cells
  local format='%5s %8s %7s %5s %5s  %8s %7s %5s %5s  %8s %7s %5s %5s  %s\n'
  [[ " ${labels[*]} " == *" scaleout-"* ]] || return 0
  echo
  echo "=== scaleout: targeted HTTP API calls through one registry (vs: calls/s against the first row) ==="
  printf '%5s %-28s %-28s %-28s\n' '' ' ----- sendMessageTo_Id -----' ' ----- sendMessageToId ------' \
    ' -------- sendToGroup -------'
  printf "$format" nodes calls/s "p99 ms" req/c vs calls/s "p99 ms" req/c vs calls/s "p99 ms" \
    req/c vs ok
  for n in $NODES; do
    cells=() ok=yes
    for kind in _id id group; do
      line=$(grep -h '^{"scenario"' "$LOGS/scaleout-${n}n-$kind.txt" 2>/dev/null) || line=''
      calls=$(json_get "$line" calls_per_s)
      p99=$(json_get "$line" call_p99_ms)
      rpc=$(json_get "$line" bus_requests_per_call)
      [[ $(json_get "$line" verified) == yes ]] || ok=NO
      case $kind in
        _id) base=${base_id:=$calls} ;;
        id) base=${base_uid:=$calls} ;;
        group) base=${base_group:=$calls} ;;
      esac
      cells+=("$calls" "$p99" "$rpc" "$(ratio "$calls" "$base" 2)")
    done
    # shellcheck disable=SC2059
    printf "$format" "$n" "${cells[@]}" "$ok"
  done
}

# behind LINE OFFERED: true when that run delivered under 90 % of the
# deliveries/s offered: its server could not keep up, so its latency is a
# queue's, not the rate's.
behind() {
  awk -v got="$(json_get "$1" deliveries_per_s)" -v offered="$2" \
    'BEGIN { exit !(got + 0 < 0.9 * offered) }'
}

# The latency runs: wscenter and the floor side by side per setting and
# round, then per setting the worst wscenter p99 against the floor's median
# p99 (the floor's own spikes are the machine's, not a bound to beat).
latency_summary() {
  local setting n rate r wsc floor key ok cells wsc_p99s floor_p99s worst median line
  local floor_behind
  local format='%-12s %5s  %8s %8s %9s  %8s %8s %9s  %6s  %8s %8s  %s\n'
  [[ " ${labels[*]} " == *" latency-"* ]] || return 0
  echo
  echo "=== latency: e2e ms of wscenter (1 registry, 2 wsnodes, HTTP broadcasts) and of the" \
    "floor (trivial server, one send() per delivery); x: wscenter p99 / floor p99;" \
    "us/d: CPU us per delivery of the wsnodes / of the floor server ==="
  # shellcheck disable=SC2059
  printf "$format" setting round "wsc p50" "wsc p99" "wsc p99.9" "flr p50" "flr p99" \
    "flr p99.9" "p99 x" "wsc us/d" "flr us/d" ok
  for setting in $LATENCY_SETTINGS; do
    n=${setting%:*} rate=${setting#*:} wsc_p99s=() floor_p99s=() floor_behind=''
    for ((r = 1; r <= ROUNDS; r++)); do
      wsc=$(result_of "latency-$n-${rate}ps-r$r-wscenter")
      floor=$(result_of "latency-$n-${rate}ps-r$r-floor")
      [[ -n $wsc$floor ]] || continue
      cells=()
      for key in e2e_p50_ms e2e_p99_ms e2e_p999_ms; do cells+=("$(json_get "$wsc" "$key")"); done
      for key in e2e_p50_ms e2e_p99_ms e2e_p999_ms; do cells+=("$(json_get "$floor" "$key")"); done
      wsc_p99s+=("${cells[1]}") floor_p99s+=("${cells[4]}")
      ok=yes
      # verified speaks of the clients that opened: here all must have.
      [[ $(json_get "$wsc" verified) == yes && $(json_get "$floor" verified) == yes &&
        $(json_get "$wsc" clients_failed) == 0 && $(json_get "$floor" clients_failed) == 0 ]] ||
        ok=NO
      behind "$wsc" $((n * rate)) && ok+=", wscenter behind the rate"
      behind "$floor" $((n * rate)) && ok+=", floor behind the rate" floor_behind=yes
      # shellcheck disable=SC2059
      printf "$format" "$n x $rate/s" "$r" "${cells[@]}" "$(ratio "${cells[1]}" "${cells[4]}")" \
        "$(json_get "$wsc" node_cpu_us_per_delivery)" \
        "$(json_get "$floor" node_cpu_us_per_delivery)" "$ok"
    done
    ((${#wsc_p99s[@]})) || continue
    worst=$(stat_of max "${wsc_p99s[@]}")
    median=$(stat_of median "${floor_p99s[@]}")
    printf '%-12s %5s  worst wscenter p99 %s ms / median floor p99 %s ms = %s x\n' \
      "$n x $rate/s" all "$worst" "$median" "$(ratio "$worst" "$median")"
    [[ -z $floor_behind ]] || echo "             (one thread cannot send $((n * rate)) frames/s" \
      "one by one here: no floor at this rate)"
  done
  line=$(result_of latency-api-sequential)
  [[ -n $line ]] || return 0
  echo "sendMessageTo_Id, one HTTP connection, one call at a time: call p50" \
    "$(json_get "$line" call_p50_ms) ms, p99 $(json_get "$line" call_p99_ms) ms," \
    "$(json_get "$line" calls_per_s) calls/s, delivery p99 $(json_get "$line" e2e_p99_ms) ms," \
    "verified $(json_get "$line" verified)"
}

# The receipts runs: per connection count and round, plain calls against
# acked sends, then the medians over the rounds.
receipts_summary() {
  local c r plain acked ok key cells plain_rate=() acked_rate=() medians
  local format='%5s %5s  %8s %8s %6s  %7s %7s  %7s %7s  %7s %7s  %11s  %s\n'
  local keys=(call_p50_ms ack_latency_p50_ms call_p99_ms ack_latency_p99_ms call_p999_ms
    ack_latency_p999_ms)
  [[ " ${labels[*]} " == *" receipts-"* ]] || return 0
  echo
  echo "=== receipts: sendMessageTo_Id to 1 000 clients on 2 wsnodes over HTTP, without and" \
    "with ack=1000; x: acked sends/s / plain calls/s; latency (ms): the call's answer, which" \
    "with ack is the ack round trip ==="
  # shellcheck disable=SC2059
  printf "$format" conns round "plain/s" "acked/s" x p50 "ack p50" p99 "ack p99" p99.9 \
    "ack p99.9" "acked/not" ok
  for c in 1 16; do
    plain_rate=() acked_rate=()
    local -A samples=()
    for ((r = 1; r <= ROUNDS; r++)); do
      plain=$(result_of "receipts-c$c-r$r-plain")
      acked=$(result_of "receipts-c$c-r$r-ack")
      [[ -n $plain$acked ]] || continue
      ok=yes
      [[ $(json_get "$plain" verified) == yes && $(json_get "$acked" verified) == yes ]] || ok=NO
      plain_rate+=("$(json_get "$plain" calls_per_s)")
      acked_rate+=("$(json_get "$acked" acked_sends_per_s)")
      cells=()
      for key in "${keys[@]}"; do
        if [[ $key == ack_* ]]; then cells+=("$(json_get "$acked" "$key")"); else
          cells+=("$(json_get "$plain" "$key")"); fi
        samples[$key]+=" ${cells[-1]}"
      done
      # shellcheck disable=SC2059
      printf "$format" "$c" "$r" "${plain_rate[-1]}" "${acked_rate[-1]}" \
        "$(ratio "${acked_rate[-1]}" "${plain_rate[-1]}" 2)" "${cells[@]}" \
        "$(json_get "$acked" calls_acked)/$(json_get "$acked" calls_not_acked)" "$ok"
    done
    ((${#plain_rate[@]})) || continue
    medians=()
    # shellcheck disable=SC2086  # the samples are words
    for key in "${keys[@]}"; do medians+=("$(stat_of median ${samples[$key]})"); done
    local mp ma
    mp=$(stat_of median "${plain_rate[@]}") ma=$(stat_of median "${acked_rate[@]}")
    # shellcheck disable=SC2059
    printf "$format" "$c" median "$mp" "$ma" "$(ratio "$ma" "$mp" 2)" "${medians[@]}" "" ""
    unset samples
  done
}

summary() {
  local wide='%-30s %9s %11s %9s %9s %9s %9s %9s %5s\n' narrow='%-30s %9s %11s %12s\n' label line
  echo
  echo "=== summary (JSON lines in $RESULTS) ==="
  printf "$wide" label calls/s deliv/s "call p99" "e2e p50" "e2e p99" "e2e p99.9" "e2e max" ok
  for label in "$@"; do
    line=$(grep -h '^{"scenario"' "$LOGS/$label.txt" 2>/dev/null) || continue
    [[ $line == *'"calls_per_s"'* || $line == *'"scenario":"ceiling"'* ||
      $line == *'"scenario":"floor"'* ]] || continue
    row "$wide" "$line" label calls_per_s deliveries_per_s call_p99_ms e2e_p50_ms e2e_p99_ms \
      e2e_p999_ms e2e_max_ms verified
  done
  printf "$narrow" label conn/s "node B/conn" "bench B/conn"
  for label in "$@"; do
    [[ $label == connections-* || $label == ceiling-connect-* ]] || continue
    line=$(grep -h '^{"scenario"' "$LOGS/$label.txt" 2>/dev/null) || continue
    row "$narrow" "$line" label connects_per_s node_bytes_per_conn bench_bytes_per_conn
  done
  receipts_summary
  scaleout_summary
  latency_summary
}

echo "wscenter bench $(date -u +%FT%TZ): $(nproc) cores ($(sed -n 's/^model name\s*: //p' \
  /proc/cpuinfo | head -1)), kernel $(uname -r), fd limit $FD_LIMIT, logs in $LOGS"
parts=("$@")
((${#parts[@]})) || parts=(all)
for part in "${parts[@]}"; do
  case $part in
    all)
      run_ceiling; run_connections; run_fanout; run_unicast; run_receipts; run_federation
      run_scaleout
      ;;
    ceiling | connections | fanout | unicast | receipts | federation | scaleout | latency)
      "run_$part"
      ;;
    *) echo "bench.sh: unknown part '$part'"; exit 2 ;;
  esac
done
summary "${labels[@]}"
exit $((failures > 0))
