#!/usr/bin/env bash
# Sysbench smoke check: oltp_read_write prepare/run/cleanup against one MySQL endpoint (the proxy or a
# backend directly), then one summary line with QPS and error counts. Too slow for the unit suite; run by
# hand or in a nightly job, once through the proxy and once direct, and compare.
#
#   bench/sysbench-check.sh [PORT]          PORT defaults to 6033 (the proxy of the root proxy.yaml)
#
# Environment: SB_HOST (127.0.0.1), SB_USER/SB_PASSWORD (app/app), SB_DB (app), SB_TABLES (2),
# SB_TABLE_SIZE (10000), SB_THREADS (8), SB_TIME (30 seconds), SB_EXTRA (more sysbench options, e.g.
# "--db-ps-mode=disable"), SB_LOG (keep sysbench's output here; default a temp file).
# Installs Debian's sysbench with apt-get when it is missing (as root).
#
# "errors" are sysbench's ignored errors: deadlocks (1213) and lock wait timeouts (1205) that sysbench rolls
# back and retries; oltp_read_write with 8 threads on 2 tables has a few even direct against MariaDB.
# Exit status: 0 when prepare, run and cleanup succeeded, nothing reconnected and ignored errors stayed
# under 1% of transactions (SB_MAX_ERROR_PERCENT); 1 otherwise; 2 for a usage error.
set -euo pipefail

PROG=sysbench-check
say() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { say "error: $*"; exit 1; }

port=${1:-6033}
[[ "$port" =~ ^[0-9]+$ ]] && (( port >= 1 && port <= 65535 )) || { say "usage: $0 [PORT]"; exit 2; }
host=${SB_HOST:-127.0.0.1}

if ! command -v sysbench >/dev/null 2>&1; then
    [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null 2>&1 || die "sysbench is not installed (apt-get install sysbench)"
    say "installing sysbench (apt-get)"
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends sysbench; } \
        </dev/null >/dev/null 2>&1 || die "apt-get install sysbench failed"
fi

args=(
    oltp_read_write
    --db-driver=mysql
    "--mysql-host=$host" "--mysql-port=$port"
    "--mysql-user=${SB_USER:-app}" "--mysql-password=${SB_PASSWORD:-app}" "--mysql-db=${SB_DB:-app}"
    "--tables=${SB_TABLES:-2}" "--table-size=${SB_TABLE_SIZE:-10000}"
    "--threads=${SB_THREADS:-8}" "--time=${SB_TIME:-30}"
    --report-interval=0
)
# shellcheck disable=SC2206 # SB_EXTRA is a list of options on purpose
[[ -z "${SB_EXTRA:-}" ]] || args+=($SB_EXTRA)

log=${SB_LOG:-$(mktemp /tmp/sysbench-check.XXXXXX.log)}
: > "$log"

step() {
    local name=$1; shift
    say "$name: sysbench ${args[*]} $name"
    if ! sysbench "${args[@]}" "$name" >>"$log" 2>&1; then
        tail -n 30 "$log" >&2
        return 1
    fi
}

# A previous interrupted run may have left the tables behind.
sysbench "${args[@]}" cleanup >/dev/null 2>&1 || true

rc=0
step prepare || die "prepare failed against $host:$port (log: $log)"
run_start=$(wc -l < "$log")
step run || rc=1
step cleanup || rc=1

run_out=$(tail -n +"$((run_start + 1))" "$log")
field() { # first number after a label in the run's output, e.g. field 'queries:' -> total, or per-sec with 2
    awk -v label="$1" -v which="${2:-1}" '
        { i = index($0, label); if (!i) next
          s = substr($0, i + length(label)); n = 0
          while (match(s, /[0-9]+(\.[0-9]+)?/)) { n++; if (n == which) { print substr(s, RSTART, RLENGTH); exit }
                                                  s = substr(s, RSTART + RLENGTH) } }' <<< "$run_out"
}
tps=$(field 'transactions:' 2); qps=$(field 'queries:' 2)
errors=$(field 'ignored errors:' 1); reconnects=$(field 'reconnects:' 1)
p95=$(field '95th percentile:' 1)
printf '%s\n' "$run_out" | sed -n '/SQL statistics:/,/Threads fairness:/p' >&2

[[ -n "$qps" ]] || { say "could not read the run's results (log: $log)"; rc=1; }
txns=$(field 'transactions:' 1)
if [[ -z "$errors" || -z "$txns" || "${reconnects:-1}" != 0 ]] ||
   (( errors * 100 > txns * ${SB_MAX_ERROR_PERCENT:-1} )); then
    rc=1
fi
printf 'sysbench-check: %s:%s tps=%s qps=%s errors=%s reconnects=%s p95_ms=%s status=%s\n' \
    "$host" "$port" "${tps:-?}" "${qps:-?}" "${errors:-?}" "${reconnects:-?}" "${p95:-?}" "$([[ $rc == 0 ]] && echo ok || echo FAILED)"
[[ -n "${SB_LOG:-}" ]] || { (( rc != 0 )) || rm -f "$log"; }
exit "$rc"
