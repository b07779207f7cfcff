#!/usr/bin/env bash
# Runs Rollgate's local PostgreSQL (Debian's server binaries) on loopback: the one store for releases, audit,
# journal and Pulumi state unless ROLLGATE_DATABASE_URL names another server.
#   scripts/postgres.sh up       initialise (first time) and start it; role and database `rollgate`
#   scripts/postgres.sh down     stop it and remove its data (the password file stays)
#   scripts/postgres.sh status   say whether it runs (exit 3 when stopped)
#   scripts/postgres.sh url      print its connection URL
# The cluster lives in .rollgate/postgres (data/, run/ with the socket and pid file, postgres.log). initdb and
# postgres refuse to run as root, so as root the server runs as the `postgres` OS user.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"

PORT=$ROLLGATE_POSTGRES_PORT
# The cluster's home, or a symlink to it (see place_home). Only the server's user needs the real path.
LINK=$ROLLGATE_STATE_DIR/postgres
HOME_DIR= # the real path, set by place_home
PG_BIN=   # set by need_binaries

is_root() { [ "$(id -u)" = 0 ]; }
server_user() { if is_root; then echo postgres; else id -un; fi; }

as_server() { # CMD...: runs CMD as the server's user, from / (root's working directory may be out of its reach)
  if is_root; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

need_binaries() {
  local newest
  newest=$(printf '%s\n' /usr/lib/postgresql/*/bin/postgres | sort -V | tail -n1)
  [ -x "$newest" ] || fail "PostgreSQL's server binaries are missing (/usr/lib/postgresql/<version>/bin): run 'npm run setup' (installs Debian's postgresql)"
  PG_BIN=$(dirname "$newest")
}

server_pid() {
  local file
  for file in "$LINK/run/postgres.pid" "$LINK/data/postmaster.pid"; do
    if [ -s "$file" ]; then
      head -n1 "$file"
      return
    fi
  done
}

alive() { # PID: the process exists and is no zombie (a killed server is one until it is reaped)
  local stat
  stat=$(ps -o stat= -p "$1") && [ "${stat:0:1}" != Z ]
}

is_running() {
  local pid
  pid=$(server_pid)
  [ -n "$pid" ] && alive "$pid" && [ "$(ps -o comm= -p "$pid")" = postgres ]
}

# Whether the cluster can live in $LINK itself: the server's user must reach it, and the socket's path must fit
# in a sockaddr_un (107 bytes).
fits_in_state_dir() {
  local socket=$LINK/run/.s.PGSQL.$PORT
  [ ${#socket} -le 107 ] || return 1
  ! is_root || runuser -u postgres -- test -x "$ROLLGATE_STATE_DIR" 2>/dev/null
}

# Chooses the cluster's home: $LINK, or when it does not fit there (a repository under /root, mode 0700) a
# directory in $TMPDIR that $LINK links to. Sets HOME_DIR.
place_home() {
  local tmp_home
  mkdir -p "$ROLLGATE_STATE_DIR"
  if [ ! -e "$LINK" ] && [ ! -L "$LINK" ] && ! fits_in_state_dir; then
    tmp_home=${TMPDIR:-/tmp}/rollgate-postgres-$(printf '%s' "$ROLLGATE_STATE_DIR" | sha256sum | cut -c1-12)
    ln -s "$tmp_home" "$LINK"
    info "postgres: the $(server_user) user cannot use $ROLLGATE_STATE_DIR; the cluster lives in $tmp_home ($LINK links to it)"
  fi
  if [ -L "$LINK" ]; then
    private_dir "$(readlink "$LINK")" # /tmp may have been cleaned since
  else
    mkdir -p "$LINK"
    ! is_root || chown postgres: "$LINK"
  fi
  HOME_DIR=$(readlink -f "$LINK")
  as_server mkdir -p "$HOME_DIR/run"
}

# private_dir DIR: creates DIR in a shared directory such as /tmp for the server's user, and refuses one that
# somebody else made (its name is predictable).
private_dir() {
  local dir=$1 owner
  if [ ! -e "$dir" ] && [ ! -L "$dir" ]; then
    mkdir -m 700 "$dir"
    ! is_root || chown postgres: "$dir"
  fi
  owner=$(stat -c %U "$dir")
  if [ ! -d "$dir" ] || [ -L "$dir" ] || [ "$owner" != "$(server_user)" ]; then
    fail "$dir must be a directory of $(server_user)'s (it is $(stat -c %F "$dir") of $owner's): remove it"
  fi
}

locale_name() {
  local locales
  locales=$(locale -a 2>/dev/null || true)
  if grep -qix 'c\.utf-\?8' <<<"$locales"; then echo C.UTF-8; else echo C; fi
}

# The first start initialises the cluster: superuser `rollgate` with the password from
# $ROLLGATE_STATE_DIR/postgres-password, passwords (scram-sha-256) on every connection.
init_cluster() {
  local data=$HOME_DIR/data
  [ ! -f "$data/PG_VERSION" ] || return 0
  as_server rm -rf "$data" # what an interrupted initdb left
  step "initialising a PostgreSQL $(basename "$(dirname "$PG_BIN")") cluster in $data"
  timed "initdb" run_initdb "$data" || fail "initdb failed: see $HOME_DIR/initdb.log"
  cat >>"$data/postgresql.conf" <<CONF

# scripts/postgres.sh: loopback only, durable commits (crash tests depend on them).
listen_addresses = '127.0.0.1'
unix_socket_directories = '$HOME_DIR/run'
external_pid_file = '$HOME_DIR/run/postgres.pid'
fsync = on
synchronous_commit = on
max_connections = 200
shared_buffers = 64MB
CONF
}

run_initdb() { # DATA
  local pwfile=$HOME_DIR/run/initdb-password status=0
  # The server's user cannot read the state directory's password file; it gets a private copy for initdb.
  # shellcheck disable=SC2016 # $1 is the inner shell's
  postgres_password | as_server sh -c 'umask 077 && cat >"$1"' sh "$pwfile"
  as_server "$PG_BIN/initdb" -D "$1" -U rollgate --pwfile="$pwfile" --auth=scram-sha-256 \
    --encoding=UTF8 --locale="$(locale_name)" --no-sync --no-instructions >"$HOME_DIR/initdb.log" 2>&1 || status=$?
  rm -f "$pwfile"
  return $status
}

start_server() {
  local log=$HOME_DIR/postgres.log
  step "starting PostgreSQL on 127.0.0.1:$PORT"
  # pg_ctl starts the server in a session of its own, like the cluster's processes.
  timed "start" as_server "$PG_BIN/pg_ctl" start -D "$HOME_DIR/data" -l "$log" -w -t 30 -o "-p $PORT" \
    >/dev/null || fail "PostgreSQL did not start within 30s (log in $log)"
  wait_for_ready 30 || fail "PostgreSQL does not answer on 127.0.0.1:$PORT after 30s (log in $log)"
  info "postgres: started (pid $(server_pid), log $log)"
}

# wait_for_exit [PID]: a server killed a moment ago holds its data directory until it has exited (and been reaped).
wait_for_exit() {
  local deadline=$((SECONDS + 30))
  [ -n "${1:-}" ] || return 0
  while [ "$(ps -o comm= -p "$1")" = postgres ]; do
    [ $SECONDS -lt $deadline ] || fail "the previous server (pid $1) has not exited after 30s"
    sleep 0.1
  done
}

wait_for_ready() { # SECONDS
  local deadline=$((SECONDS + $1))
  until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}

psql_as_rollgate() { # DATABASE PSQL ARGS...
  local database=$1
  shift
  PGPASSWORD=$(postgres_password) "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U rollgate \
    -d "$database" "$@"
}

create_database() {
  if [ -z "$(psql_as_rollgate postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'rollgate'")" ]; then
    psql_as_rollgate postgres -c 'CREATE DATABASE rollgate OWNER rollgate'
    info "postgres: created database rollgate"
  fi
}

up() {
  need_binaries
  if is_running; then
    info "postgres: already running (pid $(server_pid), 127.0.0.1:$PORT)"
    return
  fi
  place_home
  wait_for_exit "$(server_pid)"
  init_cluster
  start_server
  create_database
}

down() {
  local pid
  pid=$(server_pid)
  if is_running; then
    # SIGINT is PostgreSQL's fast shutdown (what `pg_ctl stop -m fast` sends); it needs no binaries nor user switch.
    kill -INT "$pid"
    for _ in $(seq 1 300); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then
      kill -KILL "$pid" 2>/dev/null || true
      info "postgres: killed (pid $pid) after 30s of fast shutdown"
    else
      info "postgres: stopped (pid $pid)"
    fi
  fi
  rm -rf "$LINK/data" "$LINK/run"
}

status() {
  if is_running; then
    echo "postgres: running (pid $(server_pid), 127.0.0.1:$PORT)"
  else
    echo "postgres: stopped"
    return 3
  fi
}

case ${1:-} in
  up) up ;;
  down) down ;;
  status) status ;;
  url) local_database_url ;;
  *) echo "usage: $0 up|down|status|url" >&2; exit 2 ;;
esac
