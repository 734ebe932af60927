# shellcheck shell=bash
# Environment shared by the project's scripts. Source it, don't run it:
#   source scripts/env.sh
# It only exports variables (no `set -e` here, so it is safe in an interactive shell).

SUPPORT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export SUPPORT_ROOT

# Debian's own binaryen (wasm-opt 108) produces wasm that crashes at start: the npm package's wasm-opt must come
# first. ~/.cargo/bin holds trunk, wasm-bindgen and wasm-bindgen-test-runner.
case ":${PATH}:" in
  *":${SUPPORT_ROOT}/tests/e2e/node_modules/.bin:"*) ;;
  *) PATH="${SUPPORT_ROOT}/tests/e2e/node_modules/.bin:${PATH}" ;;
esac
case ":${PATH}:" in
  *":${CARGO_HOME:-$HOME/.cargo}/bin:"*) ;;
  *) PATH="${PATH}:${CARGO_HOME:-$HOME/.cargo}/bin" ;;
esac
export PATH

# Browsers cannot be downloaded here: Playwright and the wasm test runner use the Debian packages.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"

# Where cargo puts its output, as an absolute path (the scripts run cargo from the repository root, so a relative
# CARGO_TARGET_DIR is relative to it).
support_target_dir() {
  case "${CARGO_TARGET_DIR:-}" in
    "") echo "${SUPPORT_ROOT}/target" ;;
    /*) echo "$CARGO_TARGET_DIR" ;;
    *) echo "${SUPPORT_ROOT}/${CARGO_TARGET_DIR}" ;;
  esac
}

# Seconds since the epoch, for the step timers.
support_now() {
  date +%s
}

# support_start_server NAME BIN DATA PROBE LOG [ARGS...]: starts the server BIN on a free loopback port with a
# fresh database in DATA (and ARGS), logging to LOG, and waits up to 20 s for the path PROBE to answer. Sets
# SUPPORT_SERVER_URL and SUPPORT_SERVER_PID; the caller's EXIT trap calls support_stop_server. One copy for the
# scripts that need a server of their own (schemathesis.sh, bench.sh).
support_start_server() {
  local name=$1 bin=$2 data=$3 probe=$4 log=$5 port
  shift 5
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
  SUPPORT_SERVER_URL="http://127.0.0.1:${port}"
  "$bin" --listen "127.0.0.1:${port}" --database "$data/support.db" --data-dir "$data" "$@" >"$log" 2>&1 &
  SUPPORT_SERVER_PID=$!
  for _ in $(seq 1 100); do
    curl -fs -o /dev/null "${SUPPORT_SERVER_URL}${probe}" 2>/dev/null && return 0
    if ! kill -0 "$SUPPORT_SERVER_PID" 2>/dev/null; then
      [ "$log" = /dev/stderr ] || cat "$log" >&2
      echo "${name}: the server exited at start" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "${name}: the server did not answer within 20 s" >&2
  return 1
}

# Stops the server support_start_server started, if any.
support_stop_server() {
  if [ -n "${SUPPORT_SERVER_PID:-}" ]; then
    kill -TERM "$SUPPORT_SERVER_PID" 2>/dev/null || true
    wait "$SUPPORT_SERVER_PID" 2>/dev/null || true
  fi
}
