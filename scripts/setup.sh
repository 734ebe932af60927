#!/usr/bin/env bash
# Installs whatever this project needs and the machine lacks; skips everything already at the right version.
# Safe to run again and again. See README.md ("Quick start") and the tool notes in the comments below.
set -euo pipefail

# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SUPPORT_ROOT"

TRUNK_VERSION="0.21.14"   # 0.22.x needs a newer rustc than 1.95
NODE_MAJOR_MIN=20         # @playwright/test 1.65 needs Node 20

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root (or sudo) to run: $*"
  fi
}

command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust with rustup first"
command -v rustup >/dev/null 2>&1 || die "rustup not found: install Rust with rustup first"

# --- Rust target and components ---------------------------------------------------------------------------------
if rustup target list --installed | grep -qx 'wasm32-unknown-unknown'; then
  say "wasm32-unknown-unknown target: present"
else
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

missing_components=()
cargo fmt --version >/dev/null 2>&1 || missing_components+=(rustfmt)
cargo clippy --version >/dev/null 2>&1 || missing_components+=(clippy)
if [ "${#missing_components[@]}" -eq 0 ]; then
  say "rustfmt and clippy: present"
else
  say "adding components: ${missing_components[*]}"
  rustup component add "${missing_components[@]}"
fi

# --- Debian packages ---------------------------------------------------------------------------------------------
missing_debs=()
[ -x /usr/bin/chromium ] || missing_debs+=(chromium)
[ -x /usr/bin/chromedriver ] || missing_debs+=(chromium-driver)
command -v brotli >/dev/null 2>&1 || missing_debs+=(brotli)
# The reply-by-email end-to-end test reads the reply token the outbox gave a CCed address from the database.
command -v sqlite3 >/dev/null 2>&1 || missing_debs+=(sqlite3)
if [ "${#missing_debs[@]}" -eq 0 ]; then
  say "chromium, chromedriver, brotli, sqlite3: present"
else
  command -v apt-get >/dev/null 2>&1 || die "missing ${missing_debs[*]} and no apt-get to install them"
  say "installing Debian packages: ${missing_debs[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing_debs[@]}"
fi

# --- Node.js (for Playwright and binaryen's wasm-opt) -----------------------------------------------------------
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  die "node and npm are needed (Node ${NODE_MAJOR_MIN} or newer)"
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge "$NODE_MAJOR_MIN" ] || die "Node ${NODE_MAJOR_MIN} or newer is needed, found $(node --version)"

# --- Cargo-installed tools ---------------------------------------------------------------------------------------
# `cargo install` would build inside CARGO_TARGET_DIR when it is set; keep the tools' build out of the project's cache.
cargo_install() {
  env -u CARGO_TARGET_DIR cargo install "$@"
}

if trunk --version 2>/dev/null | grep -qx "trunk ${TRUNK_VERSION}"; then
  say "trunk ${TRUNK_VERSION}: present"
else
  say "installing trunk ${TRUNK_VERSION} (about 9 minutes on 2 cores)"
  cargo_install trunk --version "$TRUNK_VERSION" --locked
fi

# Trunk only uses a wasm-bindgen binary whose version equals the crate's, so read it from Cargo.lock.
wasm_bindgen_version="$(awk '
  $0 == "name = \"wasm-bindgen\"" { found = 1; next }
  found && /^version = / { gsub(/"/, "", $3); print $3; exit }
' Cargo.lock)"
[ -n "$wasm_bindgen_version" ] || die "no wasm-bindgen entry in Cargo.lock"
if wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen ${wasm_bindgen_version}" \
  && wasm-bindgen-test-runner --version 2>/dev/null | grep -q "${wasm_bindgen_version}"; then
  say "wasm-bindgen-cli ${wasm_bindgen_version}: present"
else
  say "installing wasm-bindgen-cli ${wasm_bindgen_version} (about 5 minutes on 2 cores)"
  # No --locked: one of its pinned dependencies is no longer in the registry.
  cargo_install wasm-bindgen-cli --version "$wasm_bindgen_version" --force
fi

# The splitter that cuts the pages loaded on demand into wasm chunks (scripts/wasm-split.sh, Trunk's post-build hook).
# It has no --version flag, so ask cargo which version it installed.
WASM_SPLIT_VERSION="0.2.4"
if cargo install --list | grep -qx "wasm_split_cli_support v${WASM_SPLIT_VERSION}:" && command -v wasm-split-cli >/dev/null 2>&1; then
  say "wasm_split_cli_support ${WASM_SPLIT_VERSION}: present"
else
  say "installing wasm_split_cli_support ${WASM_SPLIT_VERSION} (about 10 minutes on 2 cores)"
  cargo_install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary --locked --force
fi

# --- npm packages: Playwright, axe-core, binaryen (wasm-opt) ------------------------------------------------------
e2e_dir="$SUPPORT_ROOT/tests/e2e"
stamp="$e2e_dir/node_modules/.setup-stamp"
want_stamp="$(cat "$e2e_dir/package.json" "$e2e_dir/package-lock.json" | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ] && [ -x "$e2e_dir/node_modules/.bin/wasm-opt" ]; then
  say "npm packages in tests/e2e: present"
else
  say "installing npm packages in tests/e2e (npm ci)"
  (cd "$e2e_dir" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want_stamp" >"$stamp"
fi

wasm_opt_path="$(command -v wasm-opt || true)"
[ "$wasm_opt_path" = "$e2e_dir/node_modules/.bin/wasm-opt" ] \
  || die "wasm-opt resolves to '${wasm_opt_path}', expected the npm binaryen in tests/e2e/node_modules/.bin"

# --- Schemathesis (PyPI), in a venv in the cache dir: scripts/schemathesis.sh pins its version --------------------
bash "$SUPPORT_ROOT/scripts/schemathesis.sh" --install

say "ready: $(trunk --version), $(wasm-bindgen --version), wasm-opt $(wasm-opt --version | awk '{print $3}'), $(/usr/bin/chromium --version 2>/dev/null | head -1)"
