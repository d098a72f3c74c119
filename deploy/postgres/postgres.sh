#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback for the integration and e2e tests (no Docker needed).
#   deploy/postgres/postgres.sh start   initdb + pg_ctl start in .cache/postgres/<port>; the last line of
#                                       stdout is the admin URL (postgresql://postgres@127.0.0.1:<port>/postgres)
#   deploy/postgres/postgres.sh stop    pg_ctl stop -m fast, then delete the cluster's directory
# Environment: PG_PORT (default: the first free port from 55432 on; if set, that exact port must be free),
#              PG_HOME (.cache/postgres), PG_DURABLE (1: keep fsync and synchronous_commit on, as in production;
#              benchmarks want it, tests do not).
# Everything but the URL goes to stderr, so `url=$(postgres.sh start | tail -n1)` is all a caller needs.
set -euo pipefail
PATH=$PATH:/usr/sbin:/sbin # runuser and useradd, also where root's PATH is a user's
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
home=${PG_HOME:-$root/.cache/postgres}
default_port=55432

log() { echo "postgres: $*" >&2; }
die() { log "$*"; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

# Locate initdb/pg_ctl: PATH first, then Debian's versioned dirs (newest first), else install them.
find_bindir() {
  # PATH entries may be symlinks (e.g. /usr/local/bin/initdb): the real dir also holds pg_isready & co.
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v initdb)")"; return
  fi
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return; fi
  done
  return 1
}

install_postgres() {
  is_root || die "initdb/pg_ctl not found; install PostgreSQL (apt-get install postgresql) and retry"
  log "initdb/pg_ctl not found; installing PostgreSQL with apt-get"
  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql; } >&2
}

# initdb refuses to run as root, and the server should not either: as root, run both as `postgres`.
ensure_postgres_user() {
  id -u postgres >/dev/null 2>&1 && return
  log "creating system user postgres"
  useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/sh postgres
}

as_pg() {
  # cd / so that a working directory the postgres user cannot read does not trouble it.
  if is_root; then (cd / && runuser -u postgres -- "$@"); else (cd / && "$@"); fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The cluster lives in $home/<port>. As root it must be reachable by `postgres`; when a parent directory
# is private (e.g. a clone under /root), it goes to /tmp instead and $home/<port> becomes a symlink to it.
make_cluster_dir() {
  local link=$home/$1 dir=$home/$1
  mkdir -p "$home"
  if is_root && ! runuser -u postgres -- test -x "$home"; then
    dir=${TMPDIR:-/tmp}/dangxiao-postgres-$1
    rm -rf "$dir"; mkdir -p "$dir"; ln -sfn "$dir" "$link"
  else
    mkdir -p "$dir"
  fi
  is_root && chown -R postgres: "$dir"
  echo "$dir"
}

# Stop a cluster we own (if it runs) and delete its directory; nothing to do when there is none.
remove_cluster() {
  local link=$home/$1 dir
  [ -e "$link" ] || [ -L "$link" ] || return 0
  dir=$(readlink -f "$link")
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_pg "$bindir/pg_ctl" stop -D "$dir/data" -m fast -w -t 60 >&2 || true
  fi
  rm -rf "$dir" "$link"
}

pick_port() {
  if [ -n "${PG_PORT:-}" ]; then
    port_in_use "$PG_PORT" && die "port $PG_PORT is in use (if it is ours: PG_PORT=$PG_PORT $0 stop)"
    echo "$PG_PORT"; return
  fi
  local port
  for port in $(seq "$default_port" $((default_port + 100))); do
    port_in_use "$port" || { echo "$port"; return; }
  done
  die "no free port in $default_port..$((default_port + 100))"
}

start() {
  local port dir
  port=$(pick_port)
  remove_cluster "$port"   # a leftover of a crashed run on a now-free port is stale
  dir=$(make_cluster_dir "$port")
  as_pg "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; remove_cluster "$port"; die "initdb failed"; }
  # No Unix socket: its path length is limited and /var/run/postgresql may not exist; TCP is enough.
  cat >>"$dir/data/postgresql.conf" <<CONF

# --- throwaway cluster (deploy/postgres/postgres.sh) ---
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = ''
max_connections = 200
CONF
  # Durability is pointless for a test cluster that is deleted after the run; a benchmark wants production's.
  if [ "${PG_DURABLE:-0}" != 1 ]; then
    printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n' >>"$dir/data/postgresql.conf"
  fi
  # -w: pg_ctl returns only once the server accepts connections (it pings it over TCP).
  if ! as_pg "$bindir/pg_ctl" start -D "$dir/data" -l "$dir/server.log" -w -t 60 >/dev/null; then
    tail -n 30 "$dir/server.log" >&2 || true
    remove_cluster "$port"
    die "server did not start within 60 s"
  fi
  log "ready on 127.0.0.1:$port (data in $dir)"
  echo "postgresql://postgres@127.0.0.1:$port/postgres"
}

stop() {
  local port=${PG_PORT:-$default_port}
  if [ -e "$home/$port" ] || [ -L "$home/$port" ]; then
    remove_cluster "$port"
    log "stopped 127.0.0.1:$port and removed its data"
  else
    log "no cluster of ours for port $port"
  fi
}

case "${1:-}" in
  start|stop) ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
bindir=$(find_bindir) || { install_postgres; bindir=$(find_bindir) || die "PostgreSQL install failed"; }
is_root && ensure_postgres_user
"$1"
