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
