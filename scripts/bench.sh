#!/usr/bin/env bash
# The performance benchmark (README, "Performance"; not part of scripts/test.sh): builds the release SPA and the
# server with its speed profile, starts the server on a free loopback port with a fresh database and the demo data,
# and lets bench/run.mjs seed more data and measure in headless Chromium. Writes BENCH_REPORT.md and .json
# (default bench/report). BENCH_SKIP_BUILD=1 reuses dist/ and the server binary as they are.
set -euo pipefail

# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SUPPORT_ROOT"

report="${BENCH_REPORT:-bench/report}"
target="$(support_target_dir)"
server_bin="$target/server-release/support-server"

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  bash scripts/setup.sh
  bash scripts/build-dist.sh
  echo "bench: cargo build -p support-server --profile server-release"
  cargo build --quiet -p support-server --profile server-release
fi
[ -x "$server_bin" ] || { echo "bench: $server_bin missing (run without BENCH_SKIP_BUILD)" >&2; exit 1; }
[ -f dist/index.html ] || { echo "bench: dist/index.html missing (run without BENCH_SKIP_BUILD)" >&2; exit 1; }

data="$(mktemp -d "${TMPDIR:-/tmp}/support-bench-XXXXXX")"
cleanup() {
  support_stop_server
  rm -rf "$data"
}
trap cleanup EXIT

# The benchmark creates 60 tickets and 200 comments as one user in a minute: past the abuse limits' defaults.
RUST_LOG="${RUST_LOG:-warn}" support_start_server bench "$server_bin" "$data" / /dev/stderr \
  --static-dir "$SUPPORT_ROOT/dist" --demo \
  --tickets-per-user-hour 100000 --tickets-per-org-hour 100000 --comments-per-user-hour 100000 --comments-per-org-hour 100000 --uploads-per-user-hour 100000 --uploads-per-org-hour 100000 --external-emails-per-user-hour 100000 --external-emails-per-org-hour 100000

# Bounded: the whole browser run must finish within 20 minutes.
timeout 1200 node bench/run.mjs "$SUPPORT_SERVER_URL" "$SUPPORT_ROOT/dist" "$report"
