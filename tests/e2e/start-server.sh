#!/usr/bin/env bash
# Starts the real server for the end-to-end tests: the release build in dist/, the demo data and a fresh SQLite
# database in a temporary folder that is removed when the server stops. Usage: start-server.sh PORT
set -euo pipefail

port="${1:?usage: start-server.sh PORT}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# E2E_DATA_DIR (set by playwright.config.ts) lets the tests run the server's CLI on the same database.
if [ -n "${E2E_DATA_DIR:-}" ]; then
  data="$E2E_DATA_DIR"
  rm -rf "$data"
  mkdir -p "$data"
else
  data="$(mktemp -d "${TMPDIR:-/tmp}/support-e2e-XXXXXX")"
fi
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$data"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

args=(--listen "127.0.0.1:${port}" --database "$data/support.db" --data-dir "$data" --static-dir "$root/dist" --tiers "$root/docs/tiers.example.toml" --demo)
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
# scripts/test.sh names the binary it has just built; a hand-run `npx playwright test` builds it here if needed
# (cargo honours CARGO_TARGET_DIR).
if [ -n "${SUPPORT_E2E_SERVER_BIN:-}" ]; then
  "$SUPPORT_E2E_SERVER_BIN" "${args[@]}" &
else
  cargo run --quiet -p support-server -- "${args[@]}" &
fi
server_pid=$!
wait "$server_pid"
