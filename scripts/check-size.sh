#!/usr/bin/env bash
# Size of the first visit: index.html plus every .wasm, .js and .css in dist/, brotli-compressed (quality 11).
# The product goal is 150 KB. The build is not there yet (Leptos' reactive core, renderer and router alone are
# most of it; see the foundation issue's note), so CI enforces a ratchet: LIMIT_BYTES is the size that landed
# last plus a small margin. Lower it whenever the bundle shrinks; never raise it without saying why in the commit.
set -euo pipefail

# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SUPPORT_ROOT"

GOAL_BYTES=$((150 * 1024))
LIMIT_BYTES=$((327 * 1024))
[ -f dist/index.html ] || { echo "check-size: dist/index.html missing: run trunk build --release first" >&2; exit 1; }

files=()
while IFS= read -r -d '' file; do
  files+=("$file")
done < <(find dist -path dist/.stage -prune -o -type f \
  \( -path dist/index.html -o -name '*.wasm' -o -name '*.js' -o -name '*.css' \) -print0 | sort -z)

total_raw=0
total_br=0
printf '%-60s %10s %10s\n' "file (first visit)" "raw B" "brotli B"
for file in "${files[@]}"; do
  raw=$(wc -c <"$file")
  br=$(brotli -c -q 11 -- "$file" | wc -c)
  total_raw=$((total_raw + raw))
  total_br=$((total_br + br))
  printf '%-60s %10d %10d\n' "${file#dist/}" "$raw" "$br"
done
printf '%-60s %10d %10d\n' "total (${#files[@]} files)" "$total_raw" "$total_br"
printf 'used %d.%d KB brotli; CI limit %d KB; goal %d KB' $((total_br / 1024)) $(((total_br % 1024) * 10 / 1024)) \
  $((LIMIT_BYTES / 1024)) $((GOAL_BYTES / 1024))
if [ "$total_br" -gt "$GOAL_BYTES" ]; then
  printf ' (%d.%d KB over the goal)' $(((total_br - GOAL_BYTES) / 1024)) $((((total_br - GOAL_BYTES) % 1024) * 10 / 1024))
fi
echo

if [ "$total_br" -gt "$LIMIT_BYTES" ]; then
  echo "check-size: FAILED: first-visit files are ${total_br} B brotli, over the ${LIMIT_BYTES} B limit" >&2
  exit 1
fi
echo "check-size: ok"
