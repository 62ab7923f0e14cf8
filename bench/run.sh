#!/usr/bin/env bash
# Load test: the same sysbench-like workloads against MariaDB directly, through MySqlProxy and through
# HAProxy (TCP mode, one thread), alternating in rounds, plus idle memory per connection; writes
# bench/results/<date>.md and .json. See bench/MySqlProxy.LoadTest (--help) for what is measured.
#
#   bench/run.sh                 defaults: a few minutes
#   DURATION=30s ROUNDS=5 bench/run.sh     longer
#
# What it does, in order:
#   1. installs Debian's haproxy when missing (no service is started: policy-rc.d says no),
#   2. starts the local topology (deploy/local/topology.sh up; PRIMARY_PORT/REPLICA_PORTS/TOPO_DIR),
#   3. builds the proxy and the load test in Release,
#   4. starts the proxy (DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1, as deploy/local/run.sh) on a
#      generated config in a temporary directory: listening on PROXY_PORT, admin on PROXY_ADMIN_PORT,
#      backends from the topology's ports, otherwise the root proxy.yaml's settings,
#   5. starts haproxy (nbthread 1, mode tcp) on HAPROXY_PORT forwarding to the primary,
#   6. runs the load test: --prepare (sbtest tables on the primary), point-select for DURATION, the
#      other workloads for SHORT_DURATION, ROUNDS rounds each, then --idle IDLE connections per target,
#   7. stops the proxy and haproxy it started (and the topology, if this script started it).
#
# Environment (defaults in brackets):
#   PRIMARY_PORT [13306]  REPLICA_PORTS ["13307 13308"]  TOPO_DIR [deploy/local/topology.sh's]
#   PROXY_PORT [6033]  PROXY_ADMIN_PORT [6080]  HAPROXY_PORT [6034]
#   CONNECTIONS [8]  ROUNDS [3]  DURATION [10s]  SHORT_DURATION [4s]  WARMUP [2s]
#   WORKLOADS ["point-select read-only-tx read-write mixed-lag"]  IDLE [2000; 0 skips]
#   PREPARED [0; 1 = binary protocol]  LAG_MODE [delay]  LAG_DELAY [3]  WRITERS [1]
#   MONITOR_INTERVAL [1s; proxy.yaml has 250ms, see below]
#   RESULTS [bench/results/<UTC date>]  (RESULTS.md and RESULTS.json are written)
#   KEEP_TOPOLOGY [1 when the topology was already up, else 0]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
topo="$root/deploy/local/topology.sh"
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

PROG=bench
say() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { say "error: $*"; exit 1; }

export PRIMARY_PORT="${PRIMARY_PORT:-13306}"
export REPLICA_PORTS="${REPLICA_PORTS-13307 13308}"
[[ -z "${TOPO_DIR:-}" ]] || export TOPO_DIR
PROXY_PORT="${PROXY_PORT:-6033}"
PROXY_ADMIN_PORT="${PROXY_ADMIN_PORT:-6080}"
HAPROXY_PORT="${HAPROXY_PORT:-6034}"
CONNECTIONS="${CONNECTIONS:-8}"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-10s}"
SHORT_DURATION="${SHORT_DURATION:-4s}"
WARMUP="${WARMUP:-2s}"
WORKLOADS="${WORKLOADS:-point-select read-only-tx read-write mixed-lag}"
IDLE="${IDLE:-2000}"
PREPARED="${PREPARED:-0}"
LAG_MODE="${LAG_MODE:-delay}"
LAG_DELAY="${LAG_DELAY:-3}"
WRITERS="${WRITERS:-1}"
RESULTS="${RESULTS:-$root/bench/results/$(date -u +%F)}"
# The monitor's command timeout is 4 x its interval (1 s at proxy.yaml's 250ms). On this loaded 2-core machine a
# monitor query sometimes takes longer; MySqlConnector then cancels it and, when the reader is disposed, drains the
# cancellation with synchronous socket I/O. With DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 that runs on the
# socket engine's thread and stalls every connection of the proxy for good (see bench/results/2026-12-05.md).
# A 1s interval (4 s timeout) keeps the benchmark clear of it; MONITOR_INTERVAL=250ms measures with the default.
MONITOR_INTERVAL="${MONITOR_INTERVAL:-1s}"
read -r -a replicas <<< "${REPLICA_PORTS//,/ }"

command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is not installed"
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---------------------------------------------------------------------------------------------
# 1. HAProxy from Debian, without starting its service.
if ! command -v haproxy >/dev/null 2>&1; then
    [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null 2>&1 || die "haproxy is missing (apt-get install haproxy, as root)"
    say "installing haproxy (apt-get)"
    policy=/usr/sbin/policy-rc.d own_policy=0
    if [[ ! -e "$policy" ]]; then
        printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && own_policy=1
    fi
    aptlog=$(mktemp /tmp/bench-apt.XXXXXX.log)
    rc=0
    { apt-get update -q &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
          -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold haproxy; } </dev/null >"$aptlog" 2>&1 || rc=$?
    if (( own_policy )); then rm -f "$policy"; fi
    (( rc == 0 )) || { tail -n 20 "$aptlog" >&2; die "apt-get install haproxy failed (log: $aptlog)"; }
    rm -f "$aptlog"
fi

# ---------------------------------------------------------------------------------------------
# 2. Topology.
"$topo" install
topology_was_up=0
if "$topo" status >/dev/null 2>&1; then topology_was_up=1; fi
KEEP_TOPOLOGY="${KEEP_TOPOLOGY:-$topology_was_up}"
"$topo" up
eval "$("$topo" env)"   # TOPO_DIR as the script resolved it

for p in "$PROXY_PORT" "$PROXY_ADMIN_PORT" "$HAPROXY_PORT"; do
    ! port_in_use "$p" || die "port $p is in use; set PROXY_PORT / PROXY_ADMIN_PORT / HAPROXY_PORT to free ones"
done

# ---------------------------------------------------------------------------------------------
# 3. Build.
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
say "building the proxy and the load test (Release)"
dotnet build "$root/src/MySqlProxy/MySqlProxy.csproj" -c Release -v q -nologo </dev/null >/dev/null ||
    die "building src/MySqlProxy failed (dotnet build src/MySqlProxy -c Release shows why)"
dotnet build "$root/bench/MySqlProxy.LoadTest/MySqlProxy.LoadTest.csproj" -c Release -v q -nologo </dev/null >/dev/null ||
    die "building bench/MySqlProxy.LoadTest failed"
proxy_dll="$root/src/MySqlProxy/bin/Release/net10.0/mysqlproxy.dll"
loadtest_dll="$root/bench/MySqlProxy.LoadTest/bin/Release/net10.0/MySqlProxy.LoadTest.dll"

# ---------------------------------------------------------------------------------------------
# 4./5. Proxy and HAProxy, stopped on exit whatever happens.
work=$(mktemp -d /tmp/mysqlproxy-bench.XXXXXX)
proxy_pid="" haproxy_pid=""
cleanup() {
    local rc=$?
    if [[ -n "$proxy_pid" ]] && kill -0 "$proxy_pid" 2>/dev/null; then
        kill -TERM "$proxy_pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$proxy_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$proxy_pid" 2>/dev/null || true
    fi
    if [[ -n "$haproxy_pid" ]] && kill -0 "$haproxy_pid" 2>/dev/null; then
        kill -TERM "$haproxy_pid" 2>/dev/null || true
        wait "$haproxy_pid" 2>/dev/null || true
    fi
    if [[ "$KEEP_TOPOLOGY" == 0 ]]; then "$topo" down || say "could not stop the topology"; fi
    if (( rc == 0 )); then rm -rf "$work"; else say "logs kept in $work"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'say "failed at line $LINENO: $BASH_COMMAND"' ERR
trap 'exit 130' INT TERM

{
    printf '# Generated by bench/run.sh: the root proxy.yaml on the benchmark ports.\n'
    printf 'listen:\n  mysql: 127.0.0.1:%s\n  admin: 127.0.0.1:%s\n' "$PROXY_PORT" "$PROXY_ADMIN_PORT"
    printf 'admin:\n  token: change-me\n'
    printf 'backends:\n  primary: { name: db1, host: 127.0.0.1, port: %s }\n  replicas:\n' "$PRIMARY_PORT"
    i=2
    for p in "${replicas[@]}"; do printf '    - { name: db%s, host: 127.0.0.1, port: %s, weight: 100 }\n' "$i" "$p"; i=$((i + 1)); done
    printf '  connect_timeout: 5s\n'
    # Everything below the backends, as in the root proxy.yaml, but for the monitor's interval (see MONITOR_INTERVAL).
    sed -n '/^users:/,$p' "$root/proxy.yaml" | sed -E "s/^(monitor:.*interval: )[0-9a-z]+/\1$MONITOR_INTERVAL/"
} > "$work/proxy.yaml"

say "starting the proxy on 127.0.0.1:$PROXY_PORT (admin $PROXY_ADMIN_PORT)"
# `dotnet app.dll` runs the app in the dotnet process itself: $! is the proxy's pid.
DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 \
    dotnet "$proxy_dll" --config "$work/proxy.yaml" </dev/null >"$work/proxy.log" 2>&1 &
proxy_pid=$!

cat > "$work/haproxy.cfg" <<EOF
global
    nbthread 1
    maxconn 8000
defaults
    mode tcp
    timeout connect 5s
    timeout client 1h
    timeout server 1h
listen mysql
    bind 127.0.0.1:$HAPROXY_PORT
    maxconn 8000
    server db1 127.0.0.1:$PRIMARY_PORT maxconn 8000
EOF
haproxy -c -q -f "$work/haproxy.cfg" || die "haproxy refuses $work/haproxy.cfg"
say "starting haproxy on 127.0.0.1:$HAPROXY_PORT -> $PRIMARY_PORT"
haproxy -db -f "$work/haproxy.cfg" </dev/null >"$work/haproxy.log" 2>&1 &
haproxy_pid=$!

ready=0
for _ in $(seq 1 300); do
    kill -0 "$proxy_pid" 2>/dev/null || { tail -n 30 "$work/proxy.log" >&2; die "the proxy exited (log above)"; }
    if curl -fs "http://127.0.0.1:$PROXY_ADMIN_PORT/readyz" >/dev/null 2>&1; then ready=1; break; fi
    sleep 0.2
done
(( ready )) || { tail -n 30 "$work/proxy.log" >&2; die "the proxy did not become ready in 60 s"; }
# Replicas get reads only once the monitor has measured their lag.
sleep 2
port_in_use "$HAPROXY_PORT" || { cat "$work/haproxy.log" >&2; die "haproxy is not listening"; }

# ---------------------------------------------------------------------------------------------
# 6. Load.
primary_pid=$(tr -dc '0-9' < "$TOPO_DIR/$PRIMARY_PORT/mysqld.pid")
workloads=()
for w in $WORKLOADS; do
    if [[ "$w" == point-select ]]; then workloads+=("$w=$DURATION"); else workloads+=("$w=$SHORT_DURATION"); fi
done
replica_list=$(printf '127.0.0.1:%s,' "${replicas[@]}"); replica_list=${replica_list%,}
load1=$(cut -d' ' -f1 /proc/loadavg)
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=""
[[ -z "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]] || dirty=' (with uncommitted changes)'
# (awk, not head: head would close the pipe early, and pipefail would end the script)
mariadb_version=$(mariadbd --version 2>/dev/null | awk '{ for (i = 1; i < NF; i++) if ($i == "Ver") { print $(i + 1); exit } }') || true
haproxy_version=$(haproxy -v 2>/dev/null | awk 'NR == 1 { print $3 }') || true

args=(
    --title "Load test $(date -u +%F): direct vs MySqlProxy vs HAProxy"
    --note "bench/run.sh at \`$commit\`$dirty. MariaDB $mariadb_version (primary :$PRIMARY_PORT, replicas ${REPLICA_PORTS}); MySqlProxy in Release with DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 on :$PROXY_PORT (monitor interval $MONITOR_INTERVAL); HAProxy $haproxy_version (mode tcp, nbthread 1) on :$HAPROXY_PORT forwarding to the primary. Load average $load1 before the run. CPU µs/stmt is the user+system CPU of the process serving the target (direct: the primary's mariadbd; proxy: MySqlProxy; haproxy: HAProxy) divided by the statements of the run; loadgen µs/stmt is the load generator's own. The client, the proxy and the databases share $(nproc) cores: throughput follows the CPU each statement costs, and numbers drift between rounds, so compare targets within a round (the ratio columns are medians of per-round ratios)."
    --targets "direct=127.0.0.1:$PRIMARY_PORT,proxy=127.0.0.1:$PROXY_PORT,haproxy=127.0.0.1:$HAPROXY_PORT"
    --pid "direct=$primary_pid" --pid "proxy=$proxy_pid" --pid "haproxy=$haproxy_pid"
    --proxy-admin "http://127.0.0.1:$PROXY_ADMIN_PORT"
    --replicas "$replica_list"
    --prepare
    --connections "$CONNECTIONS" --rounds "$ROUNDS" --duration "$DURATION" --warmup "$WARMUP"
    --lag-mode "$LAG_MODE" --lag-delay "$LAG_DELAY" --writers "$WRITERS"
    --json "$RESULTS.json" --markdown "$RESULTS.md"
)
(( ${#workloads[@]} == 0 )) || args+=(--workloads "$(IFS=,; echo "${workloads[*]}")")
[[ "$PREPARED" != 1 ]] || args+=(--prepared)
[[ "$IDLE" == 0 ]] || args+=(--idle "$IDLE")

mkdir -p "$(dirname "$RESULTS")"
say "running the load test (results: $RESULTS.md)"
set +e
dotnet "$loadtest_dll" "${args[@]}" </dev/null >"$work/loadtest.out"
rc=$?
set -e
kill -0 "$proxy_pid" 2>/dev/null || say "warning: the proxy is no longer running (log: $work/proxy.log)"
(( rc == 0 )) || say "the load test exited with $rc"
[[ -f "$RESULTS.md" ]] && say "wrote $RESULTS.md and $RESULTS.json"
exit "$rc"
