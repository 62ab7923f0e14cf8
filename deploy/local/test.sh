#!/usr/bin/env bash
# Runs every test of the solution on this machine, from nothing:
#   1. installs MariaDB from Debian's packages when missing (deploy/local/topology.sh install), and the
#      other clients the tests drive: python3-pymysql (for /usr/bin/python3) and sysbench, and s3rver
#      (npm, into S3RVER_DIR, default /var/tmp/mysqlproxy-s3rver) for the S3 backup tests,
#   2. starts the local topology (deploy/local/topology.sh up; PRIMARY_PORT/REPLICA_PORTS/TOPO_DIR),
#   3. runs `dotnet test MySqlProxy.sln -c Release "$@"` with MYSQLPROXY_TEST_PRIMARY and
#      MYSQLPROXY_TEST_REPLICAS set, its output also in TestResults/dotnet-test.log (TEST_LOG),
#   4. prints one line `tests: N passed, N failed, N skipped` summed over all test projects.
# Exits with dotnet test's exit code. The topology stays up afterwards; KEEP_TOPOLOGY=0 stops it.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
topo="$here/topology.sh"

say() { printf 'test.sh: %s\n' "$*" >&2; }

# Sum the test counts out of a `dotnet test` log. Understands, in this order of preference:
#   VSTest per project:   "Passed!  - Failed:     0, Passed:    12, Skipped:     0, Total:    12, ..."
#   VSTest, normal verbosity:   "Total tests: 12" followed by "Passed: 12" / "Failed: 0" / "Skipped: 0"
#   terminal logger:      "Test summary: total: 12, failed: 0, succeeded: 12, skipped: 0, ..."
#   Microsoft.Testing.Platform: "total: 12" / "failed: 0" / "succeeded: 12" / "skipped: 0" lines
summarize() {
    awk '
    function val(line, label,   i, s) {
        i = index(line, label); if (!i) return -1
        s = substr(line, i + length(label)); sub(/^[ \t]+/, "", s)
        if (!match(s, /^[0-9]+/)) return -1
        return substr(s, 1, RLENGTH) + 0
    }
    function add(v) { return v < 0 ? 0 : v }
    {
        gsub(/\033\[[0-9;?]*[A-Za-z]/, ""); gsub(/\r/, "")
    }
    # 1. one line per test project
    /(Passed|Failed|Skipped|Aborted)! *- *Failed: *[0-9]/ {
        vp += add(val($0, "Passed:")); vf += add(val($0, "Failed:")); vs += add(val($0, "Skipped:")); vn++
        next
    }
    # 2. "Total tests:" blocks
    /^ *Total tests: *[0-9]/ { inblk = 1; bn++; next }
    inblk && /^ *Passed: *[0-9]/  { bp += val($0, "Passed:");  next }
    inblk && /^ *Failed: *[0-9]/  { bf += val($0, "Failed:");  next }
    inblk && /^ *Skipped: *[0-9]/ { bs += val($0, "Skipped:"); next }
    inblk && !/^ *(Passed|Failed|Skipped|Total time|Not Run|Aborted):/ { inblk = 0 }
    # 3. terminal logger summary (the last one wins)
    /Test summary: *total: *[0-9]/ {
        tp = add(val($0, "succeeded:")); tf = add(val($0, "failed:")); ts = add(val($0, "skipped:")); tn++
        next
    }
    # 4. Microsoft.Testing.Platform summary block (the last one wins)
    /^ *total: *[0-9]+ *$/      { mn++; mp = mf = ms = 0; next }
    /^ *succeeded: *[0-9]+ *$/  { mp = val($0, "succeeded:"); next }
    /^ *failed: *[0-9]+ *$/     { mf = val($0, "failed:"); next }
    /^ *skipped: *[0-9]+ *$/    { ms = val($0, "skipped:"); next }
    END {
        if (vn)      { p = vp; f = vf; s = vs }
        else if (bn) { p = bp; f = bf; s = bs }
        else if (tn) { p = tp; f = tf; s = ts }
        else if (mn) { p = mp; f = mf; s = ms }
        else         { p = 0;  f = 0;  s = 0 }
        printf "tests: %d passed, %d failed, %d skipped\n", p, f, s
    }' "$1"
}

if [[ "${1:-}" == --summarize ]]; then   # for checking the parser on a saved log
    summarize "$2"
    exit 0
fi

# The clients besides MySqlConnector that the integration tests run (Clients/PyMySqlTests needs PyMySQL for
# Debian's /usr/bin/python3, not for whatever python3 is first on PATH) and bench/sysbench-check.sh uses.
ensure_test_clients() {
    local missing=() aptlog
    /usr/bin/python3 -c 'import pymysql' >/dev/null 2>&1 || missing+=(python3-pymysql)
    command -v sysbench >/dev/null 2>&1 || missing+=(sysbench)
    (( ${#missing[@]} )) || return 0
    if [[ $EUID -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
        say "warning: ${missing[*]} missing and not installable here (needs root and apt-get); the tests that use them skip, or fail under CI"
        return 0
    fi
    say "installing ${missing[*]} (apt-get)"
    aptlog=$(mktemp /tmp/test-apt.XXXXXX.log)
    if ! { apt-get update -q &&
           DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; } </dev/null >"$aptlog" 2>&1; then
        tail -n 30 "$aptlog" >&2
        say "apt-get install ${missing[*]} failed (full log: $aptlog)"
        exit 1
    fi
    rm -f "$aptlog"
}

# s3rver@3.7.1 from npm: the local S3 the backup tests store into (Backups/S3AndRetentionTests). Installed
# once into S3RVER_DIR; node and npm come from Debian when missing.
ensure_s3rver() {
    local dir="${S3RVER_DIR:-/var/tmp/mysqlproxy-s3rver}" log
    export S3RVER_DIR="$dir"
    [[ -x "$dir/node_modules/.bin/s3rver" ]] && return 0
    log=$(mktemp /tmp/test-s3rver.XXXXXX.log)
    if ! command -v npm >/dev/null 2>&1; then
        if [[ $EUID -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
            say "warning: npm missing and not installable here (needs root and apt-get); the S3 backup test fails"
            return 0
        fi
        say "installing nodejs npm (apt-get)"
        if ! { apt-get update -q &&
               DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm; } </dev/null >"$log" 2>&1; then
            tail -n 30 "$log" >&2
            say "apt-get install nodejs npm failed (full log: $log)"
            exit 1
        fi
    fi
    say "installing s3rver@3.7.1 (npm) into $dir"
    mkdir -p "$dir"
    if ! (cd "$dir" && npm install --no-audit --no-fund --loglevel=error s3rver@3.7.1) </dev/null >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        say "npm install s3rver@3.7.1 failed (full log: $log)"
        exit 1
    fi
    rm -f "$log"
}

command -v dotnet >/dev/null 2>&1 || { say "the .NET SDK (dotnet) is not installed"; exit 1; }

"$topo" install
ensure_test_clients
ensure_s3rver
"$topo" up || { say "the database topology did not come up; no test was run"; exit 1; }
eval "$("$topo" env)"
export MYSQLPROXY_TEST_TOPOLOGY_SCRIPT="$topo"
say "MYSQLPROXY_TEST_PRIMARY=$MYSQLPROXY_TEST_PRIMARY MYSQLPROXY_TEST_REPLICAS=$MYSQLPROXY_TEST_REPLICAS"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log="${TEST_LOG:-$root/TestResults/dotnet-test.log}"
mkdir -p "$(dirname "$log")"
cd "$root"
set +e
# -m:1: the test projects run one after another; some tests stop a replica's replication and must not
# overlap with another project's routing tests.
dotnet test MySqlProxy.sln -c Release -m:1 "$@" </dev/null 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e

if [[ "${KEEP_TOPOLOGY:-1}" == 0 ]]; then
    "$topo" down || say "could not stop the topology"
else
    say "the database topology is still running (deploy/local/topology.sh down stops it; KEEP_TOPOLOGY=0 does it here)"
fi
say "dotnet test exited with $rc; full output in $log"
summarize "$log"
exit "$rc"
