#!/usr/bin/env bash
# README command 2: set up what is missing, then run every check and test, stopping at the first failure.
set -euo pipefail

# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SUPPORT_ROOT"

started_all=$(support_now)
timings=()
current_step=""

print_timings() {
  local line
  echo
  echo "test: step timings"
  for line in "${timings[@]}"; do
    echo "  $line"
  done
  printf '  %-58s %5ds\n' "total" $(($(support_now) - started_all))
}

on_exit() {
  local status=$?
  if [ "$status" -ne 0 ] && [ -n "$current_step" ]; then
    timings+=("$(printf '%-58s FAILED' "$current_step")")
    print_timings
    echo "test: FAILED at: $current_step" >&2
  fi
}
trap on_exit EXIT

# step "label" command args...: runs one step, records its time, stops the script if it fails.
step() {
  local label="$1" started
  shift
  current_step="$label"
  started=$(support_now)
  printf '\n==> %s\n' "$label"
  "$@"
  timings+=("$(printf '%-58s %5ds' "$label" $(($(support_now) - started)))")
  printf '<== %s (%ds)\n' "$label" $(($(support_now) - started))
  current_step=""
}

# The server binary that `cargo test --workspace` already built (a plain `cargo build -p support-server` would
# resolve features differently and compile sqlx and friends again). No-op unless something changed since.
server_bin() {
  cargo test --workspace --no-run --quiet >&2
  echo "$(support_target_dir)/debug/support-server"
}

# The server's integration suite once more, on PostgreSQL: a throwaway cluster from Debian's packages on a
# free loopback port (scripts/services/postgres.sh), stopped again however the tests end.
postgres_tests() (
  eval "$(bash scripts/services/postgres.sh start)"
  # A subshell's EXIT trap: the cluster stops also when the tests fail (errexit ends the subshell).
  trap 'bash scripts/services/postgres.sh stop "$SUPPORT_POSTGRES_DIR"' EXIT
  cargo test -p support-server --test api
)

schemathesis() {
  local bin
  bin="$(server_bin)"
  bash scripts/schemathesis.sh "$bin"
}

# The attachment tests (uploads, downloads, the sweep), the email-reply tests (their files), the limits and quota
# tests (refused files leave nothing) and the slow-drip upload (cut off at its deadline) again, with the files in
# an S3-compatible bucket: moto on a free loopback port, stopped however the step ends.
s3_tests() {
  (
    trap 'bash scripts/services/s3.sh stop' EXIT
    eval "$(bash scripts/services/s3.sh start)"
    cargo test -p support-server --test api -- attachments:: mail:: limits:: timeouts::a_slow_drip_upload
  )
}

crash_test() {
  python3 scripts/crash-test.py "$(server_bin)"
}

# Two instances on one database (SUPPORT_KILL_TEST_DATABASE_URL when set, else a SQLite file), one killed.
kill_test() {
  python3 scripts/kill-test.py "$(server_bin)"
}

# The same kill test as production runs a cluster: both instances on one PostgreSQL database (an empty one of its
# own: --demo fills only an empty one) and the attachments in an S3 bucket (moto), both started here and stopped
# however the step ends. A subshell, for the EXIT trap.
kill_test_postgres_s3() (
  local bin
  bin="$(server_bin)"
  eval "$(bash scripts/services/postgres.sh start)"
  trap 'bash scripts/services/s3.sh stop; bash scripts/services/postgres.sh stop "$SUPPORT_POSTGRES_DIR"' EXIT
  eval "$(bash scripts/services/s3.sh start)"
  psql -q "$SUPPORT_TEST_DATABASE_URL" -c 'CREATE DATABASE kill_test'
  SUPPORT_KILL_TEST_DATABASE_URL="${SUPPORT_TEST_DATABASE_URL%/*}/kill_test" \
    SUPPORT_ATTACHMENTS="${SUPPORT_TEST_ATTACHMENTS%/*}/kill-test" \
    python3 scripts/kill-test.py "$bin"
)

# The whole Playwright suite twice: against one server instance (port 18080), and against two instances on one
# database and attachments store behind a round-robin nginx (cluster mode, port 18090), where
# tests/e2e/cluster.spec.ts also checks that consecutive requests reach different instances. Side by side (each
# run's lines prefixed with its name), or one after the other with SUPPORT_E2E_SEQUENTIAL=1 (for a machine too busy
# for two browsers at once). The step fails if either run fails. E2E_SERVER_ARGS, if set, chooses the cluster's
# database and attachments store (tests/e2e/start-server.sh).
e2e_run() {
  local name=$1
  shift
  (cd tests/e2e && env E2E_WORKERS=1 "$@" npx playwright test 2>&1 | sed -u "s/^/[${name}] /"; exit "${PIPESTATUS[0]}")
}

# The cluster runs as it would in production: both instances on one PostgreSQL database and one S3 bucket
# (scripts/services/postgres.sh and s3.sh, started here and stopped however the step ends). A subshell, for the
# EXIT trap.
e2e() (
  local single_status=0 cluster_status=0 single_pid cluster_pid
  SUPPORT_E2E_SERVER_BIN="$(server_bin)"
  export SUPPORT_E2E_SERVER_BIN
  # Installed here, not by the first server to need it, so the Playwright runs' clocks do not include apt-get.
  bash scripts/services/nginx.sh install
  eval "$(bash scripts/services/postgres.sh start)"
  trap 'bash scripts/services/s3.sh stop; bash scripts/services/postgres.sh stop "$SUPPORT_POSTGRES_DIR"' EXIT
  eval "$(bash scripts/services/s3.sh start)"
  # An empty database of its own: --demo fills only an empty one.
  psql -q "$SUPPORT_TEST_DATABASE_URL" -c 'CREATE DATABASE e2e_cluster'
  export E2E_SERVER_ARGS="--database ${SUPPORT_TEST_DATABASE_URL%/*}/e2e_cluster --attachments ${SUPPORT_TEST_ATTACHMENTS%/*}/e2e"
  echo "test: the cluster runs with $E2E_SERVER_ARGS"
  if [ "${SUPPORT_E2E_SEQUENTIAL:-0}" = 1 ]; then
    e2e_run "one instance" E2E_PORT=18080 E2E_INSTANCES=1 E2E_SERVER_ARGS= || single_status=$?
    e2e_run "two behind nginx" E2E_PORT=18090 E2E_INSTANCES=2 "E2E_SERVER_ARGS=$E2E_SERVER_ARGS" || cluster_status=$?
  else
    e2e_run "one instance" E2E_PORT=18080 E2E_INSTANCES=1 E2E_SERVER_ARGS= &
    single_pid=$!
    e2e_run "two behind nginx" E2E_PORT=18090 E2E_INSTANCES=2 "E2E_SERVER_ARGS=$E2E_SERVER_ARGS" &
    cluster_pid=$!
    wait "$single_pid" || single_status=$?
    wait "$cluster_pid" || cluster_status=$?
  fi
  [ "$single_status" -eq 0 ] || echo "test: the end-to-end run on one instance failed ($single_status)" >&2
  [ "$cluster_status" -eq 0 ] || echo "test: the end-to-end run on two instances behind nginx failed ($cluster_status)" >&2
  [ "$single_status" -eq 0 ] && [ "$cluster_status" -eq 0 ]
)

step "setup" bash scripts/setup.sh
step "cargo fmt --check" cargo fmt --all --check
step "clippy (native)" cargo clippy --workspace --all-targets -- -D warnings
step "clippy (wasm32)" cargo clippy -p support-console -p api --target wasm32-unknown-unknown --all-targets -- -D warnings
step "cargo test (native: api, server)" cargo test --workspace
step "cargo test on PostgreSQL (server integration suite)" postgres_tests
step "cargo test (attachments and email replies on S3: moto)" s3_tests
step "Schemathesis: the server against its OpenAPI document" schemathesis
step "crash test: kill -9 under load, 20 times" crash_test
step "kill test: two instances, the jobs' lease holder killed under load" kill_test
step "kill test on PostgreSQL + S3 (moto)" kill_test_postgres_s3
step "cargo test (wasm32: components in headless Chromium)" \
  env CHROMEDRIVER=/usr/bin/chromedriver cargo test -p support-console --target wasm32-unknown-unknown
step "trunk build --release (+ brotli)" bash scripts/build-dist.sh
step "bundle size budget" bash scripts/check-size.sh
step "end-to-end (Playwright: one instance | two behind nginx)" e2e

print_timings
echo "test: all passed"
