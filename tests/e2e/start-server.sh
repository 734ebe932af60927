#!/usr/bin/env bash
# Starts the real server for the end-to-end tests: the release build in dist/, the demo data and a fresh database
# in a temporary folder that is removed when the server stops. Usage: start-server.sh PORT
#
# Cluster mode (E2E_INSTANCES=2, or more): that many instances on one database and one attachments store, each on a
# free loopback port, behind a round-robin nginx (scripts/services/nginx.sh) listening on PORT, so the suite runs
# unchanged against several instances and one user's consecutive requests reach different ones.
#
# E2E_SERVER_ARGS (optional, split on whitespace) is passed to every instance and, through fixtures.ts, to the CLI the
# specs run: it chooses the database and the attachments store, e.g.
#   E2E_SERVER_ARGS="--database postgres://127.0.0.1:5433/support --attachments s3://bucket/e2e"
# Without a --database there, the database is the SQLite file support.db in the data folder (one file shared by
# every instance); attachments stay in the data folder's default one unless it names --attachments. A database it
# names must be empty at start (the demo data is loaded into an empty database only).
set -euo pipefail

port="${1:?usage: start-server.sh PORT}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
instances="${E2E_INSTANCES:-1}"
case "$instances" in [1-9]) ;; *) echo "start-server.sh: E2E_INSTANCES must be 1 to 9, got '$instances'" >&2; exit 2 ;; esac

# E2E_DATA_DIR (set by playwright.config.ts) lets the tests run the server's CLI on the same database.
if [ -n "${E2E_DATA_DIR:-}" ]; then
  data="$E2E_DATA_DIR"
  rm -rf "$data"
  mkdir -p "$data"
else
  data="$(mktemp -d "${TMPDIR:-/tmp}/support-e2e-XXXXXX")"
fi
pids=()
nginx_dir=""
cleanup() {
  local pid
  if [ -n "$nginx_dir" ]; then
    bash "$root/scripts/services/nginx.sh" stop "$nginx_dir" || true
    rm -rf "$nginx_dir"
  fi
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$data"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# shellcheck disable=SC2206 # word splitting is the documented format of E2E_SERVER_ARGS
extra=(${E2E_SERVER_ARGS:-})
args=(--data-dir "$data" --static-dir "$root/dist" --tiers "$root/docs/tiers.example.toml" --demo)
case " ${extra[*]} " in
  *" --database "*|*" --database="*) ;;
  *) args+=(--database "$data/support.db") ;;
esac
args+=("${extra[@]}")
# Token mode as the console would configure it, with the test-only key pair of the server's tests: the embedding
# tests (tests/e2e/host.ts consoleToken) sign real tokens with its private half. Cookie sessions are unaffected.
args+=(--token-public-key "$root/crates/server/tests/api/token_keys/console.pub.pem" --token-algorithm EdDSA
  --token-issuer https://console.example --token-audience support)
# Every test signs in from 127.0.0.1, far more often than a person would: the per-address and global sign-in limits
# (20 and 300 a minute by default) are raised so the suite measures the app, not the limiter.
args+=(--sign-in-per-address 100000 --sign-in-global 100000)
# The suite creates many tickets, comments and uploads as one demo user within minutes: the abuse limits (30 tickets
# per user an hour by default, ...) are raised likewise. Their own tests are the server's integration tests and
# rate-limit.spec.ts, which fakes the 429.
args+=(--tickets-per-user-hour 100000 --tickets-per-org-hour 100000 --comments-per-user-hour 100000
  --comments-per-org-hour 100000 --uploads-per-user-hour 100000 --uploads-per-org-hour 100000
  --external-emails-per-user-hour 100000 --external-emails-per-org-hour 100000)
# Replies by email (tests/e2e/reply-by-email.spec.ts): emails carry reply+TOKEN@ this domain, and the inbound-mail
# endpoint takes messages signed with this secret.
args+=(--reply-domain support.e2e.example --inbound-mail-secret e2e-inbound-mail-secret)
cd "$root"

# start_instance LISTEN_PORT: one server in the background, its pid added to pids. scripts/test.sh names the binary
# it has just built; a hand-run `npx playwright test` builds it here if needed (cargo honours CARGO_TARGET_DIR).
start_instance() {
  if [ -n "${SUPPORT_E2E_SERVER_BIN:-}" ]; then
    "$SUPPORT_E2E_SERVER_BIN" --listen "127.0.0.1:$1" "${args[@]}" &
  else
    cargo run --quiet -p support-server -- --listen "127.0.0.1:$1" "${args[@]}" &
  fi
  pids+=("$!")
}

if [ "$instances" -eq 1 ]; then
  start_instance "$port"
  wait "${pids[0]}"
  exit $?
fi

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_ready PORT PID: until the instance answers (10 minutes: a hand run may be compiling it first).
wait_ready() {
  local i
  for i in $(seq 1 3000); do
    curl -fs -o /dev/null "http://127.0.0.1:$1/" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { echo "start-server.sh: the instance on port $1 exited at start" >&2; exit 1; }
    sleep 0.2
  done
  echo "start-server.sh: the instance on port $1 did not answer" >&2
  exit 1
}

# One after the other: the first migrates the empty database and loads the demo data, the next ones find both done
# (two instances starting at once on an empty database would both try).
ports=()
for _ in $(seq 1 "$instances"); do
  p="$(free_port)"
  start_instance "$p"
  wait_ready "$p" "${pids[-1]}"
  ports+=("$p")
done
echo "start-server.sh: ${instances} instances on ports ${ports[*]}, behind nginx on ${port}" >&2
nginx_env="$(NGINX_PORT="$port" bash "$root/scripts/services/nginx.sh" start "${ports[@]}")"
nginx_dir="$(eval "$nginx_env"; echo "$SUPPORT_NGINX_DIR")"
nginx_pid="$(eval "$nginx_env"; echo "$SUPPORT_NGINX_PID")"
# Playwright stops us with SIGTERM; until then, stop when any instance or nginx dies (the tests would fail anyway).
while kill -0 "$nginx_pid" 2>/dev/null; do
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo "start-server.sh: instance $pid exited" >&2; exit 1; }
  done
  sleep 1
done
echo "start-server.sh: nginx exited" >&2
exit 1
