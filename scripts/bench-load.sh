#!/usr/bin/env bash
# The server's load benchmark (README, "Performance"; not part of scripts/test.sh). Builds the server with its
# speed profile, generates 100,000 tickets across 100 organizations (`support-server bench-data`), and measures
# with wrk (bench/load/wrk.lua, bench/load/run.py) on loopback: sign-in, the ticket list (first and deep page,
# with and without search), opening, creating and commenting on tickets, for
#   1. one instance on SQLite (always);
#   2. one instance on PostgreSQL, and 3. two instances on PostgreSQL behind nginx round-robin: when
#      scripts/services/postgres.sh (and nginx.sh) are in the checkout;
# plus the floors on the same machine: the same SQLite statements without HTTP (bench/load/raw_sqlite.py) and
# pgbench (with PostgreSQL). Writes report.md and report.json (bench/load/report.py) into BENCH_LOAD_REPORT
# (default bench/load-report) and prints each target's PASS/FAIL.
#
# Settings (environment): BENCH_ORGANIZATIONS (100), BENCH_TICKETS (100000), BENCH_DURATION (10s per scenario),
# BENCH_THREADS (2), BENCH_CONNECTIONS (16), BENCH_SESSIONS (20 signed-in admins), BENCH_ONLY (comma-separated
# scenarios), BENCH_SKIP_BUILD=1 (reuse the built server), BENCH_SQLITE_ONLY=1 (skip the PostgreSQL configurations,
# for a quick look at a change on SQLite).
set -euo pipefail

# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SUPPORT_ROOT"

report="${BENCH_LOAD_REPORT:-bench/load-report}"
organizations="${BENCH_ORGANIZATIONS:-100}"
tickets="${BENCH_TICKETS:-100000}"
profile=server-release
server_bin="$(support_target_dir)/$profile/support-server"
services="$SUPPORT_ROOT/scripts/services"

say() { printf 'bench-load: %s\n' "$*" >&2; }

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  say "cargo build -p support-server --profile $profile"
  cargo build --quiet -p support-server --profile "$profile"
fi
[ -x "$server_bin" ] || { say "$server_bin missing (run without BENCH_SKIP_BUILD)"; exit 1; }
if ! command -v wrk >/dev/null 2>&1; then
  say "installing Debian's wrk"
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >&2 \
    || { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 \
         && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >&2; }
fi

mkdir -p "$report"
rm -f "$report"/*.json "$report"/report.md
work="$(mktemp -d "${TMPDIR:-/tmp}/support-bench-load-XXXXXX")"
pids=()
pg_started=0
nginx_started=0
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  pids=()
  [ "$nginx_started" = 1 ] && bash "$services/nginx.sh" stop >/dev/null 2>&1 || true
  [ "$pg_started" = 1 ] && bash "$services/postgres.sh" stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# The load would pass the sign-in limits and the hourly abuse limits at once: raised for the benchmark, so what is
# measured is the work of each request, not its refusal.
raised=(
  --sign-in-per-address 1000000000 --sign-in-global 1000000000
  --tickets-per-user-hour 1000000000 --tickets-per-org-hour 1000000000
  --comments-per-user-hour 1000000000 --comments-per-org-hour 1000000000
  --uploads-per-user-hour 1000000000 --uploads-per-org-hour 1000000000
  --external-emails-per-user-hour 1000000000 --external-emails-per-org-hour 1000000000
)

# start_instance PORT DATA_DIR ARGS...: one server on 127.0.0.1:PORT, waiting until it answers (up to 60 s).
start_instance() {
  local port=$1 data=$2 pid code
  shift 2
  mkdir -p "$data"
  # warn: a log line per request would be measured too.
  RUST_LOG=warn "$server_bin" --listen "127.0.0.1:$port" --data-dir "$data" "${raised[@]}" "$@" \
    >>"$data/server.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 1 300); do
    code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/v1/me" || true)"
    [ "$code" != 000 ] && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      cat "$data/server.log" >&2
      say "the server on port $port exited at start"
      return 1
    fi
    sleep 0.2
  done
  say "the server on port $port did not answer within 60 s"
  return 1
}

stop_instances() {
  local pid
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  pids=()
}

run_load() { # KEY LABEL URL [run.py ARGS...]
  local key=$1 label=$2 url=$3
  shift 3
  python3 bench/load/run.py "$url" "$report/$key.json" --label "$label" \
    --threads "${BENCH_THREADS:-2}" --connections "${BENCH_CONNECTIONS:-16}" --duration "${BENCH_DURATION:-10s}" \
    --sessions "${BENCH_SESSIONS:-20}" ${BENCH_ONLY:+--only "$BENCH_ONLY"} "$@"
}

# The lists again at BENCH_LATENCY_CONNECTIONS (4): at 16 connections two cores are saturated and the p99 is
# mostly the queue in front of them (it grows with every connection added), so the latency a list has under a
# heavy but sustainable load is measured here, next to the saturated figures. Skipped when BENCH_ONLY names no
# list scenario.
run_latency() { # URL
  local lists="list_first,list_deep,search_first,search_deep"
  if [ -n "${BENCH_ONLY:-}" ]; then
    lists="$(tr ',' '\n' <<<"$BENCH_ONLY" | grep -E '^(list|search)_' | paste -sd, || true)"
    [ -n "$lists" ] || return 0
  fi
  python3 bench/load/run.py "$1" "$report/sqlite-latency.json" \
    --label "SQLite, one instance, ${BENCH_LATENCY_CONNECTIONS:-4} connections" \
    --threads 2 --connections "${BENCH_LATENCY_CONNECTIONS:-4}" --duration "${BENCH_DURATION:-10s}" \
    --sessions "${BENCH_SESSIONS:-20}" --only "$lists"
}

# generate ARGS...: bench-data into the database ARGS name; prints its summary line and time.
generate() {
  local started=$SECONDS
  "$server_bin" "$@" bench-data --organizations "$organizations" --tickets "$tickets" >"$work/generated.txt"
  generated="$(head -n 1 "$work/generated.txt") (wall clock $((SECONDS - started)) s)"
  say "$generated"
}

python3 - "$report/machine.json" "$profile" <<'PY'
import json, os, subprocess, sys, time
model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown")
memory = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True).stdout.strip()
json.dump({
    "commit": commit + ("+changes" if dirty else ""), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    "cpus": os.cpu_count(), "cpu_model": model, "memory_gb": round(memory / 1024 / 1024),
    "load_average_start": round(os.getloadavg()[0], 2), "profile": sys.argv[2],
}, open(sys.argv[1], "w"), indent=2)
PY

# 1. SQLite: the floor on the freshly generated file, then one instance.
sqlite_data="$work/sqlite"
mkdir -p "$sqlite_data"
say "generating $tickets tickets across $organizations organizations on SQLite"
generate --data-dir "$sqlite_data"
python3 - "$report/machine.json" "$generated" <<'PY'
import json, sys
machine = json.load(open(sys.argv[1]))
machine["data"] = sys.argv[2]
json.dump(machine, open(sys.argv[1], "w"), indent=2)
PY
say "raw SQLite floor"
python3 bench/load/raw_sqlite.py "$sqlite_data/support.db" "$report/raw-sqlite.json"
port="$(free_port)"
start_instance "$port" "$sqlite_data"
run_load sqlite "SQLite, one instance" "http://127.0.0.1:$port"
run_latency "http://127.0.0.1:$port"
stop_instances

# 2 and 3. PostgreSQL (s5-pg's scripts/services/postgres.sh prints SUPPORT_TEST_DATABASE_URL), with nginx
# (scripts/services/nginx.sh prints SUPPORT_NGINX_URL) for two instances.
if [ -f "$services/postgres.sh" ] && [ "${BENCH_SQLITE_ONLY:-0}" != 1 ]; then
  say "starting PostgreSQL"
  eval "$(bash "$services/postgres.sh" start)"
  pg_started=1
  base_url="${SUPPORT_TEST_DATABASE_URL:?postgres.sh start printed no SUPPORT_TEST_DATABASE_URL}"
  # The same server with another database name: postgres://user@host:port/NAME?params.
  with_db() { python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$base_url" "$1"; }
  psql -q "$base_url" -c "DROP DATABASE IF EXISTS support_bench" -c "CREATE DATABASE support_bench" \
    -c "DROP DATABASE IF EXISTS pgbench_floor" -c "CREATE DATABASE pgbench_floor" >&2
  pg_url="$(with_db support_bench)"
  say "generating $tickets tickets across $organizations organizations on PostgreSQL"
  generate --data-dir "$work/pg-gen" --database "$pg_url"

  say "pgbench floor"
  floor_url="$(with_db pgbench_floor)"
  pgbench -q -i -s 10 "$floor_url" >"$work/pgbench-init.log" 2>&1
  pgbench -S -c 4 -j 2 -T 10 "$floor_url" >"$work/pgbench-select.log" 2>&1
  pgbench -N -c 4 -j 2 -T 10 "$floor_url" >"$work/pgbench-write.log" 2>&1
  python3 - "$work" "$report/pgbench.json" <<'PY'
import json, re, sys
def figures(name, path):
    text = open(path).read()
    tps = float(re.search(r"tps = ([0-9.]+)", text).group(1))
    latency = float(re.search(r"latency average = ([0-9.]+) ms", text).group(1))
    return {"name": name, "tps": tps, "latency_ms": latency}
runs = [
    figures("select only (-S), 4 clients, 2 threads, 10 s, scale 10", f"{sys.argv[1]}/pgbench-select.log"),
    figures("simple update (-N), 4 clients, 2 threads, 10 s, scale 10", f"{sys.argv[1]}/pgbench-write.log"),
]
json.dump({"runs": runs}, open(sys.argv[2], "w"), indent=2)
PY

  port="$(free_port)"
  start_instance "$port" "$work/pg-1" --database "$pg_url"
  run_load postgres "PostgreSQL, one instance" "http://127.0.0.1:$port"
  stop_instances

  if [ -f "$services/nginx.sh" ]; then
    port_a="$(free_port)"
    start_instance "$port_a" "$work/pg-a" --database "$pg_url"
    port_b="$(free_port)"
    start_instance "$port_b" "$work/pg-b" --database "$pg_url"
    eval "$(bash "$services/nginx.sh" start "$port_a" "$port_b")"
    nginx_started=1
    run_load postgres-2 "PostgreSQL, two instances behind nginx" "${SUPPORT_NGINX_URL:?nginx.sh start printed no SUPPORT_NGINX_URL}"
    bash "$services/nginx.sh" stop >/dev/null 2>&1 || true
    nginx_started=0
    stop_instances
  else
    say "scripts/services/nginx.sh is not in this checkout: two instances behind nginx not run"
  fi
else
  say "PostgreSQL configurations and pgbench not run (BENCH_SQLITE_ONLY=1, or scripts/services/postgres.sh missing)"
fi

python3 - "$report/machine.json" <<'PY'
import json, os, sys
machine = json.load(open(sys.argv[1]))
machine["load_average_end"] = round(os.getloadavg()[0], 2)
json.dump(machine, open(sys.argv[1], "w"), indent=2)
PY
python3 bench/load/report.py "$report"
say "report: $report/report.md and $report/report.json"
