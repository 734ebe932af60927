#!/usr/bin/env bash
# Tests the running server against its own OpenAPI document with Schemathesis: a fresh demo database, a signed-in
# demo admin, a fixed seed and a bounded number of examples per operation, so a run is reproducible and takes a
# few minutes at most. Fails on any 5xx, any response that breaks the documented schema, and any undocumented
# status code. Usage: scripts/schemathesis.sh [SERVER_BINARY] (default: the debug build `cargo test` makes), or
# scripts/schemathesis.sh --install to only install Schemathesis (what scripts/setup.sh does).
set -euo pipefail

# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SUPPORT_ROOT"

# Pinned: its CLI flags and checks change between releases. 4.x runs on Python 3.9 and later.
SCHEMATHESIS_VERSION="4.32.5"
# Fixed, so a failure found once is found again; change it on purpose to explore other inputs.
SEED="${SUPPORT_SCHEMATHESIS_SEED:-20261129}"
# Test cases per operation and phase: about two minutes on two cores.
MAX_EXAMPLES="${SUPPORT_SCHEMATHESIS_MAX_EXAMPLES:-25}"

say() { printf 'schemathesis: %s\n' "$*"; }
die() { printf 'schemathesis: error: %s\n' "$*" >&2; exit 1; }

venv="${SUPPORT_SCHEMATHESIS_VENV:-$HOME/.cache/support-console/schemathesis-venv}"
if [ "$("$venv/bin/st" --version 2>/dev/null)" = "st, version ${SCHEMATHESIS_VERSION}" ]; then
  [ "${1:-}" != "--install" ] || say "schemathesis ${SCHEMATHESIS_VERSION}: present in ${venv}"
else
  command -v python3 >/dev/null 2>&1 || die "python3 is needed (3.9 or newer) for Schemathesis"
  say "installing schemathesis ${SCHEMATHESIS_VERSION} into ${venv}"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==${SCHEMATHESIS_VERSION}"
fi
[ "${1:-}" != "--install" ] || exit 0

server="${1:-$(support_target_dir)/debug/support-server}"
[ -x "$server" ] || die "no server binary at ${server} (build it with: cargo test --workspace --no-run)"

data="$(mktemp -d "${TMPDIR:-/tmp}/support-schemathesis-XXXXXX")"
cleanup() {
  support_stop_server
  rm -rf "$data"
}
trap cleanup EXIT

# Logs go to a file: Schemathesis sends thousands of requests, and the server's log is only needed on failure.
# Thousands of requests as one user: the abuse limits are raised so they test the API, not the limiter (whose 429
# answers are documented and tested by the server's integration tests).
support_start_server schemathesis "$server" "$data" /api/v1/openapi.json "$data/server.log" --demo \
  --tickets-per-user-hour 100000 --tickets-per-org-hour 100000 --comments-per-user-hour 100000 --comments-per-org-hour 100000 --uploads-per-user-hour 100000 --uploads-per-org-hour 100000 --external-emails-per-user-hour 100000 --external-emails-per-org-hour 100000 ||
  die "the server did not start"
base="$SUPPORT_SERVER_URL"

# A demo admin of a paid organization reaches every operation (members are refused some with 403).
SUPPORT_SCHEMATHESIS_SESSION="$(curl -fsS -o /dev/null -D - "${base}/api/v1/session" \
  -H 'content-type: application/json' -H "X-Support-CSRF: 1" \
  --data '{"email":"admin@acme.example","password":"support-demo"}' |
  sed -n 's/^[Ss]et-[Cc]ookie: __Host-support_session=\([^;]*\).*/\1/p')"
[ -n "$SUPPORT_SCHEMATHESIS_SESSION" ] || die "could not sign in as the demo admin"
cookie="__Host-support_session=${SUPPORT_SCHEMATHESIS_SESSION}"
# Its organization and its newest ticket (see schemathesis.toml).
me="$(curl -fsS "${base}/api/v1/me" -H "Cookie: ${cookie}")"
SUPPORT_SCHEMATHESIS_ORG_ID="$(python3 -c 'import json, sys; print(json.load(sys.stdin)["organization"]["id"])' <<<"$me")"
tickets="$(curl -fsS "${base}/api/v1/organizations/${SUPPORT_SCHEMATHESIS_ORG_ID}/tickets?scope=organization" -H "Cookie: ${cookie}")"
SUPPORT_SCHEMATHESIS_TICKET_ID="$(python3 -c 'import json, sys; print(json.load(sys.stdin)["tickets"][0]["id"])' <<<"$tickets")"
export SUPPORT_SCHEMATHESIS_SESSION SUPPORT_SCHEMATHESIS_ORG_ID SUPPORT_SCHEMATHESIS_TICKET_ID

started=$(date +%s)
status=0
# DELETE /session is left out: it would end the session the run signs in with, and every later request would
# test only the 401 answer. Its own behaviour is covered by the server's integration tests (auth.rs).
# POST /inbound-mail is left out too: its body is a raw email (message/rfc822), which Schemathesis cannot generate
# ("no supported serializers"), and this server runs without --inbound-mail-secret, so it would only answer 404.
# It is covered by the integration tests in crates/server/tests/api/mail/ with 13 real RFC 5322 messages.
"$venv/bin/st" --config-file scripts/schemathesis.toml run "${base}/api/v1/openapi.json" \
  --exclude-operation-id sign_out \
  --exclude-operation-id ingest_inbound_mail \
  --checks not_a_server_error,response_schema_conformance,status_code_conformance \
  --seed "$SEED" \
  --max-examples "$MAX_EXAMPLES" \
  --workers 1 \
  --no-color \
  || status=$?
say "finished in $(($(date +%s) - started))s (seed ${SEED}, at most ${MAX_EXAMPLES} examples per operation)"
if [ "$status" -ne 0 ]; then
  say "the server's log (last 40 lines):"
  tail -n 40 "$data/server.log" >&2
fi
exit "$status"
