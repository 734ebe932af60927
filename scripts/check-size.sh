#!/usr/bin/env bash
# Budget for the first visit: index.html plus every .wasm, .js and .css in dist/, brotli-compressed (quality 11),
# must stay at or under 150 KB in total.
set -euo pipefail

# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SUPPORT_ROOT"

BUDGET_BYTES=$((150 * 1024))
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
printf 'budget: %d B brotli (%d KB); used %d.%d KB\n' "$BUDGET_BYTES" $((BUDGET_BYTES / 1024)) \
  $((total_br / 1024)) $(((total_br % 1024) * 10 / 1024))

if [ "$total_br" -gt "$BUDGET_BYTES" ]; then
  echo "check-size: FAILED: first-visit files are ${total_br} B brotli, over the ${BUDGET_BYTES} B budget" >&2
  exit 1
fi
echo "check-size: ok"
