#!/usr/bin/env bash
# Local MariaDB topology for MySqlProxy: one primary and GTID replicas on loopback.
#
#   topology.sh up                  install MariaDB if missing, create/start the nodes, attach the
#                                   replicas, wait until replication runs, sanity-check it
#   topology.sh down [--purge]      stop every server started from TOPO_DIR (--purge: delete it)
#   topology.sh status              one line per node; exit 1 when a configured node is unhealthy
#   topology.sh add-empty PORT      start an extra empty server (users, no data, no replication)
#   topology.sh remove-empty PORT   stop it and delete its directory
#   topology.sh start PORT | stop PORT   start/stop one existing node, nothing else
#   topology.sh install             only install the Debian packages when missing
#   topology.sh env                 print export lines: MYSQLPROXY_TEST_PRIMARY/_REPLICAS and the
#                                   TOPO_DIR/PRIMARY_PORT/REPLICA_PORTS in force
#
# Environment: TOPO_DIR (default /var/tmp/mysqlproxy-topology), PRIMARY_PORT (13306),
# REPLICA_PORTS ("13307 13308", space or comma separated), TOPO_TIMEOUT (60 seconds),
# TOPO_SKIP_CHECK=1 skips the replication sanity check at the end of `up`.
#
# Layout per node: TOPO_DIR/PORT/{my.cnf,data/,binlog/,relay/,mysqld.sock,mysqld.pid,error.log}.
# Users (identical on every node, created with sql_log_bin=0 so every node starts with an empty
# GTID history): admin/admin, app/app, monitor/monitor, repl/repl; root only through the socket.
set -euo pipefail

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

TOPO_DIR="${TOPO_DIR:-/var/tmp/mysqlproxy-topology}"
PRIMARY_PORT="${PRIMARY_PORT:-13306}"
REPLICA_PORTS="${REPLICA_PORTS-13307 13308}"
TOPO_TIMEOUT="${TOPO_TIMEOUT:-60}"
read -r -a REPLICAS <<< "${REPLICA_PORTS//,/ }"

PROG="topology"
log()  { printf '%s: %s\n' "$PROG" "$*" >&2; }
die()  { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }

usage() {
    sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit "${1:-2}"
}

valid_port() { [[ "$1" =~ ^[0-9]+$ ]] && (( $1 >= 1 && $1 <= 65535 )); }

check_config() {
    valid_port "$PRIMARY_PORT" || die "PRIMARY_PORT '$PRIMARY_PORT' is not a port"
    local p seen=" $PRIMARY_PORT "
    for p in "${REPLICAS[@]}"; do
        valid_port "$p" || die "REPLICA_PORTS contains '$p', which is not a port"
        [[ "$seen" != *" $p "* ]] || die "port $p appears twice in PRIMARY_PORT/REPLICA_PORTS"
        seen+="$p "
    done
    valid_port "$TOPO_TIMEOUT" || die "TOPO_TIMEOUT '$TOPO_TIMEOUT' is not a number of seconds"
    [[ "$TOPO_DIR" == /* ]] || TOPO_DIR="$PWD/$TOPO_DIR"
    TOPO_DIR="${TOPO_DIR%/}"
    [[ -n "$TOPO_DIR" ]] || die "TOPO_DIR must not be /"
}

# ---------------------------------------------------------------------------------------------
# Packages

have_mariadb() {
    local c
    for c in mariadbd mariadb mariadb-admin mariadb-install-db mariadb-backup mariadb-binlog mariadb-dump; do
        command -v "$c" >/dev/null 2>&1 || return 1
    done
}

ensure_packages() {
    have_mariadb && return 0
    command -v apt-get >/dev/null 2>&1 || die "MariaDB is not installed and apt-get is not available"
    [[ $EUID -eq 0 ]] || die "MariaDB is not installed; run as root so apt-get can install it"
    log "installing mariadb-server mariadb-client mariadb-backup (apt-get)"
    # Debian's maintainer scripts would start a system-wide server on 3306; forbid that for the
    # duration of the install unless the machine already has a policy.
    local policy=/usr/sbin/policy-rc.d own_policy=0
    if [[ ! -e "$policy" ]]; then
        printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && own_policy=1
    fi
    local rc=0 aptlog
    aptlog=$(mktemp /tmp/topology-apt.XXXXXX.log)
    {
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q &&
        apt-get install -y -q --no-install-recommends \
            -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
            mariadb-server mariadb-client mariadb-backup
    } </dev/null >"$aptlog" 2>&1 || rc=$?
    if (( own_policy )); then rm -f "$policy"; fi
    if (( rc != 0 )); then
        tail -n 30 "$aptlog" >&2
        die "apt-get failed (exit $rc; full log: $aptlog)"
    fi
    rm -f "$aptlog"
    have_mariadb || die "MariaDB tools still missing after apt-get install"
}

# ---------------------------------------------------------------------------------------------
# Nodes

node_dir()  { printf '%s/%s' "$TOPO_DIR" "$1"; }
node_sock() { printf '%s/%s/mysqld.sock' "$TOPO_DIR" "$1"; }
marker()    { printf '%s/%s/.initialized' "$TOPO_DIR" "$1"; }
node_role_recorded() {
    local m; m=$(marker "$1")
    if [[ -f "$m" ]]; then sed -n 's/^role=//p' "$m" | head -n1; fi
}
is_initialized() { [[ -f "$(marker "$1")" ]]; }

# Every node directory under TOPO_DIR (numeric names), ascending.
all_node_ports() {
    [[ -d "$TOPO_DIR" ]] || return 0
    local d
    for d in "$TOPO_DIR"/*/; do
        d="${d%/}"; d="${d##*/}"
        if [[ "$d" =~ ^[0-9]+$ ]]; then printf '%s\n' "$d"; fi
    done | sort -n
}

# pid of the mariadbd running from this node's my.cnf, or failure.
node_pid() {
    local dir pid
    dir=$(node_dir "$1")
    [[ -f "$dir/mysqld.pid" ]] || return 1
    pid=$(tr -dc '0-9' < "$dir/mysqld.pid")
    [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
    tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "--defaults-file=$dir/my.cnf" || return 1
    printf '%s' "$pid"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Management connection: root through the node's socket (root has no TCP account).
rootsql_raw() {
    local port=$1; shift
    mariadb --no-defaults --protocol=socket -S "$(node_sock "$port")" -uroot --connect-timeout=3 "$@"
}
rootsql() { local port=$1; shift; rootsql_raw "$port" -N -B "$@"; }

# Client connection over TCP, as the tests and the proxy connect.
tcpsql() {
    local port=$1 user=$2 pass=$3; shift 3
    mariadb --no-defaults -h127.0.0.1 -P"$port" -u"$user" -p"$pass" --connect-timeout=3 -N -B "$@"
}

ping_node() {
    mariadb-admin --no-defaults --protocol=socket -S "$(node_sock "$1")" -uroot \
        --connect-timeout=2 ping >/dev/null 2>&1
}

error_tail() {
    local dir; dir=$(node_dir "$1")
    if [[ -f "$dir/error.log" ]]; then
        printf -- '--- last lines of %s ---\n' "$dir/error.log" >&2
        tail -n 25 "$dir/error.log" >&2
        printf -- '---\n' >&2
    fi
    if [[ -s "$dir/mariadbd.out" ]]; then
        printf -- '--- %s ---\n' "$dir/mariadbd.out" >&2
        tail -n 10 "$dir/mariadbd.out" >&2
    fi
}

write_cnf() {
    local port=$1 role=$2 dir ro=OFF tmp
    dir=$(node_dir "$port")
    [[ "$role" == replica ]] && ro=ON
    tmp="$dir/my.cnf.tmp"
    cat > "$tmp" <<EOF
# Generated by deploy/local/topology.sh -- node $port, role $role. Rewritten by every 'up'.
[mysqld]
user                           = root
port                           = $port
bind_address                   = 127.0.0.1
datadir                        = $dir/data
socket                         = $dir/mysqld.sock
pid_file                       = $dir/mysqld.pid
log_error                      = $dir/error.log
server_id                      = $port
report_host                    = 127.0.0.1
report_port                    = $port
log_bin                        = $dir/binlog/mysql-bin
log_bin_index                  = $dir/binlog/mysql-bin.index
binlog_format                  = ROW
gtid_strict_mode               = 1
log_slave_updates              = 1
relay_log                      = $dir/relay/relay-bin
relay_log_index                = $dir/relay/relay-bin.index
read_only                      = $ro
local_infile                   = ON
max_allowed_packet             = 256M
character_set_server           = utf8mb4
collation_server               = utf8mb4_general_ci
skip_name_resolve              = ON
innodb_buffer_pool_size        = 128M
innodb_log_file_size           = 48M
# test topology: one fsync per second instead of per commit
innodb_flush_log_at_trx_commit = 2
max_connections                = 4000
thread_cache_size              = 64
session_track_system_variables = *
session_track_schema           = ON
session_track_state_change     = ON

# For tools pointed at this file (mariadb, mariadb-backup --defaults-file=...): root via socket.
[client]
socket                         = $dir/mysqld.sock
port                           = $port
user                           = root
EOF
    if [[ -f "$dir/my.cnf" ]] && cmp -s "$tmp" "$dir/my.cnf"; then
        rm -f "$tmp"
    else
        if [[ -f "$dir/my.cnf" ]] && node_pid "$port" >/dev/null; then
            log "$port: my.cnf changed; it applies at the next restart (topology.sh stop $port; topology.sh start $port)"
        fi
        mv -f "$tmp" "$dir/my.cnf"
    fi
}

# Create a fresh node directory with an initialised datadir (server not started).
init_datadir() {
    local port=$1 dir
    dir=$(node_dir "$port")
    local sock; sock=$(node_sock "$port")
    (( ${#sock} < 108 )) || die "socket path $sock is too long for a unix socket; use a shorter TOPO_DIR"
    if [[ -e "$dir" ]]; then
        stop_node "$port" quiet
        rm -rf "$dir"
    fi
    if port_in_use "$port"; then
        die "port $port is already in use by a process that TOPO_DIR=$TOPO_DIR did not start"
    fi
    mkdir -p "$dir/data" "$dir/binlog" "$dir/relay"
    log "$port: initialising datadir"
    if ! mariadb-install-db --no-defaults --datadir="$dir/data" --user=root \
            --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
            --innodb-log-file-size=48M > "$dir/install.log" 2>&1 9>&-; then
        tail -n 30 "$dir/install.log" >&2
        die "$port: mariadb-install-db failed (full log: $dir/install.log)"
    fi
}

LAUNCHED_PID=""
start_daemon() {
    local port=$1 dir pid
    dir=$(node_dir "$port")
    LAUNCHED_PID=""
    if pid=$(node_pid "$port"); then
        return 0
    fi
    rm -f "$dir/mysqld.pid"
    if port_in_use "$port"; then
        die "port $port is already in use by a process that TOPO_DIR=$TOPO_DIR did not start"
    fi
    log "$port: starting mariadbd"
    local user_opt=()
    [[ $EUID -eq 0 ]] && user_opt=(--user=root)
    # New session and no inherited descriptor (stdio, our lock, pipes of whoever runs us, such as
    # a CI runner waiting for EOF): the server outlives this script and its callers.
    (
        for fd in /proc/self/fd/*; do
            fd=${fd##*/}
            if (( fd > 2 )); then eval "exec $fd>&-" 2>/dev/null || true; fi
        done
        exec nohup setsid mariadbd --defaults-file="$dir/my.cnf" "${user_opt[@]}" \
            </dev/null >>"$dir/mariadbd.out" 2>&1
    ) &
    LAUNCHED_PID=$!
}

# Wait until the node answers on its socket (TCP is checked by logging in afterwards).
# $2: the pid we just launched, if any.
wait_daemon() {
    local port=$1 launched=${2:-} deadline=$((SECONDS + TOPO_TIMEOUT))
    while ! ping_node "$port"; do
        if [[ -n "$launched" ]] && ! kill -0 "$launched" 2>/dev/null && ! node_pid "$port" >/dev/null; then
            error_tail "$port"
            die "$port: mariadbd exited during start"
        fi
        if (( SECONDS >= deadline )); then
            error_tail "$port"
            die "$port: mariadbd did not answer within ${TOPO_TIMEOUT}s"
        fi
        sleep 0.2
    done
}

# Users and schemas, identical on every node and kept out of the binlog (sql_log_bin=0), so that
# every node has an empty GTID history and replicas start from an empty slave_pos.
setup_users() {
    local port=$1 drops
    drops=$(rootsql "$port" -e "SELECT CONCAT('DROP USER ', QUOTE(user), '@', QUOTE(host), ';')
        FROM mysql.user WHERE user = '' OR (user = 'root' AND host <> 'localhost')")
    rootsql "$port" <<SQL
SET SESSION sql_log_bin = 0;
$drops
CREATE USER IF NOT EXISTS 'admin'@'%' IDENTIFIED BY 'admin';
CREATE USER IF NOT EXISTS 'admin'@'127.0.0.1' IDENTIFIED BY 'admin';
GRANT ALL PRIVILEGES ON *.* TO 'admin'@'%' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'admin'@'127.0.0.1' WITH GRANT OPTION;
CREATE USER IF NOT EXISTS 'app'@'%' IDENTIFIED BY 'app';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER, CREATE TEMPORARY TABLES,
      LOCK TABLES, EXECUTE, CREATE VIEW, SHOW VIEW, CREATE ROUTINE, ALTER ROUTINE, EVENT, TRIGGER,
      RELOAD, PROCESS, SHOW DATABASES, BINLOG MONITOR, SLAVE MONITOR ON *.* TO 'app'@'%';
CREATE USER IF NOT EXISTS 'monitor'@'%' IDENTIFIED BY 'monitor';
GRANT PROCESS, BINLOG MONITOR, SLAVE MONITOR, REPLICATION CLIENT ON *.* TO 'monitor'@'%';
GRANT ALL PRIVILEGES ON \`mysqlproxy\`.* TO 'monitor'@'%';
CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY 'repl';
GRANT REPLICATION SLAVE, SLAVE MONITOR ON *.* TO 'repl'@'%';
CREATE DATABASE IF NOT EXISTS \`app\`;
CREATE DATABASE IF NOT EXISTS \`mysqlproxy\`;
SQL
    local gtid
    gtid=$(rootsql "$port" -e "SELECT @@gtid_current_pos")
    [[ -z "$gtid" ]] || die "$port: expected an empty GTID history after setup, found '$gtid'"
}

write_marker() {
    local port=$1 role=$2 topo_id=${3:-}
    printf 'role=%s\nprimary=%s\ntopology=%s\ncreated=%s\n' \
        "$role" "$PRIMARY_PORT" "$topo_id" "$(date -u +%FT%TZ)" > "$(marker "$port")"
}

# Ask a node to shut down: SHUTDOWN over its socket (what mariadb-admin shutdown sends, without
# mariadb-admin's one-second pid-file polling). Appends PORT:PID to STOP_PIDS.
STOP_PIDS=()
request_stop() {
    local port=$1 quiet=${2:-} pid
    pid=$(node_pid "$port") || { [[ -n "$quiet" ]] || log "$port: not running"; return 0; }
    log "$port: stopping mariadbd (pid $pid)"
    timeout 10 mariadb --no-defaults --protocol=socket -S "$(node_sock "$port")" -uroot \
        --connect-timeout=3 -e "SHUTDOWN" >/dev/null 2>&1 9>&- || true
    STOP_PIDS+=("$port:$pid")
}

# Succeeds as soon as pid $1 is gone; fails after $2 tenths of a second.
pid_gone_within() {
    local pid=$1 n=$2
    while (( n-- > 0 )); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    ! kill -0 "$pid" 2>/dev/null
}

# Wait for the pid to exit; SIGTERM after 30 s, SIGKILL after 20 s more.
wait_stopped() {
    local port=$1 pid=$2
    pid_gone_within "$pid" 300 && return 0
    log "$port: still running after shutdown, sending SIGTERM"
    kill -TERM "$pid" 2>/dev/null || true
    pid_gone_within "$pid" 200 && return 0
    log "$port: still running, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    pid_gone_within "$pid" 100 && return 0
    die "$port: could not stop pid $pid"
}

wait_all_stopped() {
    local x
    for x in "${STOP_PIDS[@]}"; do wait_stopped "${x%%:*}" "${x#*:}"; done
    STOP_PIDS=()
}

stop_node() { STOP_PIDS=(); request_stop "$@"; wait_all_stopped; }

# ---------------------------------------------------------------------------------------------
# Replication

SS=""   # last SHOW SLAVE STATUS, vertical format
slave_status() { SS=$(rootsql_raw "$1" -E -e "SHOW SLAVE STATUS" 2>/dev/null || true); }
ssf() {
    printf '%s\n' "$SS" | awk -v f="$1" '
        { sub(/^ +/, ""); i = index($0, ": ")
          k = i ? substr($0, 1, i - 1) : substr($0, 1, length($0) - 1)
          if (k == f) { print (i ? substr($0, i + 2) : ""); exit } }'
}

change_master() {
    rootsql "$1" -e "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$PRIMARY_PORT,
        MASTER_USER='repl', MASTER_PASSWORD='repl', MASTER_USE_GTID=slave_pos,
        MASTER_CONNECT_RETRY=1"
}

ensure_read_only() {
    local port=$1 want=$2 have
    have=$(rootsql "$port" -e "SELECT @@global.read_only")
    if [[ "$have" != "$want" ]]; then
        log "$port: setting read_only=$want"
        rootsql "$port" -e "SET GLOBAL read_only = $want"
    fi
}

ensure_replicating() {
    local port=$1 host mport io sql
    slave_status "$port"
    if [[ -z "$SS" ]]; then
        log "$port: attaching to primary 127.0.0.1:$PRIMARY_PORT (MASTER_USE_GTID=slave_pos)"
        change_master "$port"
        rootsql "$port" -e "START SLAVE"
        return 0
    fi
    host=$(ssf Master_Host); mport=$(ssf Master_Port)
    if [[ "$host" != 127.0.0.1 || "$mport" != "$PRIMARY_PORT" ]]; then
        log "$port: replicating from $host:$mport; re-pointing to 127.0.0.1:$PRIMARY_PORT"
        rootsql "$port" -e "STOP SLAVE"
        change_master "$port"
        rootsql "$port" -e "START SLAVE"
        return 0
    fi
    io=$(ssf Slave_IO_Running); sql=$(ssf Slave_SQL_Running)
    if [[ "$io" == No || "$sql" == No ]]; then
        log "$port: replication threads io=$io sql=$sql; START SLAVE"
        rootsql "$port" -e "START SLAVE"
    fi
}

wait_replicating() {
    local port=$1 deadline=$((SECONDS + TOPO_TIMEOUT)) settle=$((SECONDS + 3)) io sql failed
    while :; do
        slave_status "$port"
        io=$(ssf Slave_IO_Running); sql=$(ssf Slave_SQL_Running)
        [[ "$io" == Yes && "$sql" == Yes ]] && return 0
        # A thread that stopped with an error will not recover by itself: fail fast.
        failed=""
        if (( SECONDS >= settle )) && [[ ( "$io" == No && "$(ssf Last_IO_Errno)" != 0 ) ||
                                         ( "$sql" == No && "$(ssf Last_SQL_Errno)" != 0 ) ]]; then
            failed="replication stopped with an error (above); fix it and run up again"
        elif (( SECONDS >= deadline )); then
            failed="replication did not start within ${TOPO_TIMEOUT}s"
        fi
        if [[ -n "$failed" ]]; then
            log "$port: replication is not running: Slave_IO_Running=$io Slave_SQL_Running=$sql"
            log "$port: Last_IO_Error: $(ssf Last_IO_Errno) $(ssf Last_IO_Error)"
            log "$port: Last_SQL_Error: $(ssf Last_SQL_Errno) $(ssf Last_SQL_Error)"
            error_tail "$port"
            die "$port: $failed"
        fi
        sleep 0.2
    done
}

sanity_check() {
    local token gtid p r
    token="check-$$-$RANDOM"
    gtid=$(tcpsql "$PRIMARY_PORT" admin admin -e "
        CREATE DATABASE IF NOT EXISTS topology_check;
        CREATE TABLE IF NOT EXISTS topology_check.t (id INT PRIMARY KEY, v VARCHAR(64)) ENGINE=InnoDB;
        REPLACE INTO topology_check.t VALUES (1, '$token');
        SELECT @@last_gtid;")
    [[ -n "$gtid" ]] || die "sanity check: the primary returned no GTID for a write"
    for p in "${REPLICAS[@]}"; do
        r=$(tcpsql "$p" admin admin -e "SELECT MASTER_GTID_WAIT('$gtid', $TOPO_TIMEOUT)")
        [[ "$r" == 0 ]] || die "sanity check: replica $p did not reach GTID $gtid within ${TOPO_TIMEOUT}s"
        r=$(tcpsql "$p" app app -e "SELECT v FROM topology_check.t WHERE id = 1")
        [[ "$r" == "$token" ]] || die "sanity check: replica $p shows '$r' instead of '$token'"
    done
    gtid=$(tcpsql "$PRIMARY_PORT" admin admin -e "DROP DATABASE topology_check; SELECT @@last_gtid;")
    for p in "${REPLICAS[@]}"; do
        r=$(tcpsql "$p" admin admin -e "SELECT MASTER_GTID_WAIT('$gtid', $TOPO_TIMEOUT)")
        [[ "$r" == 0 ]] || die "sanity check: replica $p did not apply the cleanup ($gtid)"
    done
}

# Every node must accept the application and admin users over TCP (no anonymous-user shadowing).
check_logins() {
    local port=$1 who
    who=$(tcpsql "$port" app app -e "SELECT CURRENT_USER()" 2>&1) ||
        die "$port: app cannot log in over 127.0.0.1:$port: $who"
    [[ "$who" == "app@%" ]] || die "$port: app logs in as '$who' instead of app@%"
    who=$(tcpsql "$port" admin admin -e "SELECT CURRENT_USER()" 2>&1) ||
        die "$port: admin cannot log in over 127.0.0.1:$port: $who"
}

check_limits() {
    # mariadbd asks for ~36000 files with max_connections=4000 and warns when the hard limit is
    # lower (20000 here); it then shrinks the table cache first and max_connections only below that.
    local mc; mc=$(rootsql "$1" -e "SELECT @@max_connections")
    (( mc >= 4000 )) || log "$1: warning: max_connections is only $mc (open files hard limit $(ulimit -Hn))"
}

# ---------------------------------------------------------------------------------------------
# Locking: one topology.sh at a time per TOPO_DIR (servers are started with the lock fd closed).

prepare_topo_dir() {
    mkdir -p "$TOPO_DIR"
    [[ -f "$TOPO_DIR/.mysqlproxy-topology" ]] ||
        printf 'Created by deploy/local/topology.sh; safe to delete with "topology.sh down --purge".\n' \
            > "$TOPO_DIR/.mysqlproxy-topology"
}

take_lock() {
    [[ -d "$TOPO_DIR" ]] || return 0
    exec 9>>"$TOPO_DIR/.lock"
    flock -w 300 9 || die "another topology.sh holds $TOPO_DIR/.lock"
}

# ---------------------------------------------------------------------------------------------
# Commands

cmd_up() {
    ensure_packages
    prepare_topo_dir
    take_lock
    local t0=$SECONDS p role topo_id fresh=() launched=()

    # 1. Primary: make sure it exists; a freshly created primary invalidates any old replicas.
    role=$(node_role_recorded "$PRIMARY_PORT")
    if ! is_initialized "$PRIMARY_PORT"; then
        init_datadir "$PRIMARY_PORT"; fresh+=("$PRIMARY_PORT")
        cat /proc/sys/kernel/random/uuid > "$(node_dir "$PRIMARY_PORT")/.topology-id"
    elif [[ "$role" != primary ]]; then
        die "node $PRIMARY_PORT was created as '$role', not as the primary (topology.sh down --purge to start over)"
    fi
    topo_id=$(cat "$(node_dir "$PRIMARY_PORT")/.topology-id" 2>/dev/null || true)

    # 2. Replicas: create missing ones; re-create those that belong to another primary's history.
    for p in "${REPLICAS[@]}"; do
        if is_initialized "$p"; then
            role=$(node_role_recorded "$p")
            [[ "$role" == replica ]] ||
                die "node $p was created as '$role', not as a replica (remove it first)"
            if ! grep -qxF "topology=$topo_id" "$(marker "$p")"; then
                log "$p: belongs to an older primary; re-creating it"
                init_datadir "$p"; fresh+=("$p")
            fi
        else
            init_datadir "$p"; fresh+=("$p")
        fi
    done

    # 3. Configuration files (unchanged files are left alone).
    write_cnf "$PRIMARY_PORT" primary
    for p in "${REPLICAS[@]}"; do write_cnf "$p" replica; done

    # 4. Start whatever is not running, then wait for all of them.
    for p in "$PRIMARY_PORT" "${REPLICAS[@]}"; do
        start_daemon "$p"; launched+=("$p:$LAUNCHED_PID")
    done
    for p in "${launched[@]}"; do wait_daemon "${p%%:*}" "${p#*:}"; done

    # 5. Users on fresh nodes, then record them as initialised.
    for p in "${fresh[@]}"; do
        log "$p: creating users and schemas"
        setup_users "$p"
        if [[ "$p" == "$PRIMARY_PORT" ]]; then write_marker "$p" primary "$topo_id"
        else write_marker "$p" replica "$topo_id"; fi
    done
    for p in "$PRIMARY_PORT" "${REPLICAS[@]}"; do check_logins "$p"; check_limits "$p"; done

    # 6. Roles and replication.
    ensure_read_only "$PRIMARY_PORT" 0
    for p in "${REPLICAS[@]}"; do
        ensure_read_only "$p" 1
        ensure_replicating "$p"
    done
    for p in "${REPLICAS[@]}"; do wait_replicating "$p"; done

    if [[ "${TOPO_SKIP_CHECK:-0}" != 1 && ${#REPLICAS[@]} -gt 0 ]]; then
        sanity_check
    fi
    local rlist="${REPLICAS[*]/#/127.0.0.1:}"
    log "up: primary 127.0.0.1:$PRIMARY_PORT, replicas ${rlist:-none} ($((SECONDS - t0))s, dir $TOPO_DIR)"
}

cmd_down() {
    local purge=0
    case "${1:-}" in
        "") ;;
        --purge) purge=1 ;;
        *) die "down: unknown option '$1'" ;;
    esac
    if [[ ! -d "$TOPO_DIR" ]]; then log "down: $TOPO_DIR does not exist; nothing to stop"; return 0; fi
    take_lock
    local p ports=()
    mapfile -t ports < <(all_node_ports)
    # All at once: a server takes ~1.5 s from "Shutdown complete" to process exit.
    STOP_PIDS=()
    for p in "${ports[@]}"; do request_stop "$p"; done
    wait_all_stopped
    if (( purge )); then
        local others=()
        mapfile -t others < <(find "$TOPO_DIR" -mindepth 1 -maxdepth 1 ! -name .lock)
        if [[ -f "$TOPO_DIR/.mysqlproxy-topology" || ${#others[@]} -eq 0 ]]; then
            log "down: deleting $TOPO_DIR"
            rm -rf "$TOPO_DIR"
        else
            die "down --purge: $TOPO_DIR was not created by topology.sh; not deleting it"
        fi
    fi
}

cmd_status() {
    local ports=() p state role io sql behind gtid ro master rc=0 configured
    configured=" $PRIMARY_PORT ${REPLICAS[*]} "
    mapfile -t ports < <({ printf '%s\n' "$PRIMARY_PORT" "${REPLICAS[@]}"; all_node_ports; } | sort -nu)
    for p in "${ports[@]}"; do
        io=-; sql=-; behind=-; gtid=-; ro=-; master=-
        role=$(node_role_recorded "$p"); [[ -n "$role" ]] || role=-
        if [[ ! -d "$(node_dir "$p")" ]]; then
            state=absent
        elif ! node_pid "$p" >/dev/null; then
            state=down
        elif ! ping_node "$p"; then
            state=unreachable
        else
            state=up
            gtid=$(rootsql "$p" -e "SELECT @@gtid_current_pos" 2>/dev/null || echo '?'); [[ -n "$gtid" ]] || gtid='""'
            ro=$(rootsql "$p" -e "SELECT IF(@@global.read_only, 'ON', 'OFF')" 2>/dev/null || echo '?')
            slave_status "$p"
            if [[ -n "$SS" ]]; then
                role=replica
                io=$(ssf Slave_IO_Running); sql=$(ssf Slave_SQL_Running); behind=$(ssf Seconds_Behind_Master)
                [[ -n "$behind" ]] || behind=NULL
                master="$(ssf Master_Host):$(ssf Master_Port)"
            elif [[ "$p" == "$PRIMARY_PORT" ]]; then
                role=primary
            fi
        fi
        printf '%-6s %-8s %-11s io=%-10s sql=%-4s behind=%-5s master=%-15s read_only=%-3s gtid=%s\n' \
            "$p" "$role" "$state" "$io" "$sql" "$behind" "$master" "$ro" "$gtid"
        if [[ "$configured" == *" $p "* ]]; then
            [[ "$state" == up ]] || rc=1
            if [[ "$p" != "$PRIMARY_PORT" && ( "$io" != Yes || "$sql" != Yes ) ]]; then rc=1; fi
        fi
    done
    return "$rc"
}

extra_port_arg() {
    local p=${1:-}
    valid_port "$p" || die "$CMD: give a port number"
    [[ " $PRIMARY_PORT ${REPLICAS[*]} " != *" $p "* ]] ||
        die "$CMD: $p is the primary or a replica of this topology"
}

cmd_add_empty() {
    local p=${1:-}
    extra_port_arg "$p"
    ensure_packages
    prepare_topo_dir
    take_lock
    local is_new=0 role
    if is_initialized "$p"; then
        role=$(node_role_recorded "$p")
        [[ "$role" == empty ]] || die "node $p exists with role '$role'"
    else
        init_datadir "$p"; is_new=1
    fi
    write_cnf "$p" empty
    start_daemon "$p"
    wait_daemon "$p" "$LAUNCHED_PID"
    if (( is_new )); then
        log "$p: creating users and schemas"
        setup_users "$p"
        write_marker "$p" empty ""
    fi
    check_logins "$p"; check_limits "$p"
    log "add-empty: empty server on 127.0.0.1:$p (dir $(node_dir "$p"))"
}

cmd_remove_empty() {
    local p=${1:-} role
    extra_port_arg "$p"
    [[ -d "$(node_dir "$p")" ]] || { log "remove-empty: $p does not exist"; return 0; }
    take_lock
    role=$(node_role_recorded "$p")
    [[ -z "$role" || "$role" == empty ]] || die "node $p has role '$role'; not removing it"
    stop_node "$p"
    rm -rf "$(node_dir "$p")"
    log "remove-empty: $p removed"
}

cmd_start() {
    local p=${1:-}
    valid_port "$p" || die "start: give a port number"
    is_initialized "$p" || die "start: node $p does not exist (use up or add-empty)"
    take_lock
    start_daemon "$p"
    wait_daemon "$p" "$LAUNCHED_PID"
}

cmd_stop() {
    local p=${1:-}
    valid_port "$p" || die "stop: give a port number"
    [[ -d "$(node_dir "$p")" ]] || die "stop: node $p does not exist"
    take_lock
    stop_node "$p"
}

cmd_env() {
    local p list=()
    for p in "${REPLICAS[@]}"; do list+=("127.0.0.1:$p"); done
    local IFS=,
    printf "export MYSQLPROXY_TEST_PRIMARY='%s'\n" "127.0.0.1:$PRIMARY_PORT"
    printf "export MYSQLPROXY_TEST_REPLICAS='%s'\n" "${list[*]}"
    IFS=' '
    # The topology's own settings, so that tests calling topology.sh (add-empty ...) find it.
    printf "export TOPO_DIR='%s' PRIMARY_PORT='%s' REPLICA_PORTS='%s'\n" "$TOPO_DIR" "$PRIMARY_PORT" "${REPLICAS[*]}"
}

CMD=${1:-}
[[ -n "$CMD" ]] || usage
shift
check_config
case "$CMD" in
    up)            [[ $# -eq 0 ]] || usage; cmd_up ;;
    down)          cmd_down "$@" ;;
    status)        cmd_status ;;
    add-empty)     cmd_add_empty "$@" ;;
    remove-empty)  cmd_remove_empty "$@" ;;
    start)         cmd_start "$@" ;;
    stop)          cmd_stop "$@" ;;
    install)       ensure_packages ;;
    env)           cmd_env ;;
    -h|--help|help) usage 0 ;;
    *)             usage ;;
esac
