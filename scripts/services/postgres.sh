#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, on a free loopback port.
#
#   eval "$(bash scripts/services/postgres.sh start)"   # prints the exports below
#   bash scripts/services/postgres.sh stop [DIR]         # DIR defaults to $SUPPORT_POSTGRES_DIR
#
# `start` installs Debian's `postgresql` if it is missing, creates a cluster in a new temporary folder
# owned by the `postgres` user (the server refuses to run as root), starts it on 127.0.0.1 and a free
# port, and prints `export SUPPORT_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:PORT/postgres` and
# `export SUPPORT_POSTGRES_DIR=DIR`. `stop` stops that cluster and deletes its folder.
#
# The cluster trades durability for speed (fsync off, no full page writes): its data is thrown away
# anyway. Trust authentication on loopback only; nothing listens beyond 127.0.0.1.
set -euo pipefail

as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

bin_dir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  echo "$dir"
}

install_if_missing() {
  if [ -z "$(bin_dir)" ] || [ ! -x "$(bin_dir)/initdb" ]; then
    echo "postgres.sh: installing Debian's postgresql" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  install_if_missing
  local bin dir port
  bin=$(bin_dir)
  dir=$(mktemp -d /tmp/support-postgres.XXXXXX)
  chown postgres: "$dir" 2>/dev/null || true
  chmod 700 "$dir"
  # UTF-8 with a C.UTF-8 locale: the text search parser must see non-ASCII letters as letters.
  as_postgres "$bin/initdb" -D "$dir/data" -A trust -U postgres --encoding=UTF8 --locale=C.UTF-8 \
    > "$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  # A port can be taken between the check and the start: try a few.
  local attempt
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    if as_postgres "$bin/pg_ctl" -D "$dir/data" -w -t 60 -l "$dir/log" \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
      start > /dev/null; then
      echo "export SUPPORT_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$port/postgres"
      echo "export SUPPORT_POSTGRES_DIR=$dir"
      return 0
    fi
    echo "postgres.sh: start on port $port failed (attempt $attempt)" >&2
    tail -n 5 "$dir/log" >&2 || true
  done
  exit 1
}

stop() {
  local dir="${1:-${SUPPORT_POSTGRES_DIR:-}}"
  if [ -z "$dir" ] || [ ! -d "$dir/data" ]; then
    echo "postgres.sh: no cluster to stop (give its folder or set SUPPORT_POSTGRES_DIR)" >&2
    return 0
  fi
  as_postgres "$(bin_dir)/pg_ctl" -D "$dir/data" -m immediate -w stop > /dev/null || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *)
    echo "usage: $0 start|stop [DIR]" >&2
    exit 2
    ;;
esac
