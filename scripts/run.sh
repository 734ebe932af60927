#!/usr/bin/env bash
# README command 1: set up what is missing, build the SPA, run the server with demo data on http://127.0.0.1:8080
set -euo pipefail

# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SUPPORT_ROOT"

bash scripts/setup.sh
bash scripts/build-dist.sh

mkdir -p data
echo "run: starting support-server on http://127.0.0.1:8080 (demo users: see README.md; Ctrl-C stops it)"
exec cargo run -p support-server -- \
  --listen 127.0.0.1:8080 \
  --database data/support.db \
  --data-dir data \
  --static-dir dist \
  --tiers docs/tiers.example.toml \
  --demo
