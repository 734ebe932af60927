#!/usr/bin/env bash
# Release build of the SPA into dist/, then a brotli copy (*.br) next to each text/wasm file: the server answers
# `Accept-Encoding: br` with those (tower-http precompressed_br) instead of compressing on every request.
set -euo pipefail

# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SUPPORT_ROOT"

echo "build-dist: trunk build --release"
trunk build --release

count=0
while IFS= read -r -d '' file; do
  brotli --force --keep --quality=11 --output="${file}.br" -- "$file"
  count=$((count + 1))
done < <(find dist -path dist/.stage -prune -o -type f \
  \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.svg' \) -print0)
echo "build-dist: precompressed ${count} files with brotli"
