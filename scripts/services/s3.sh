#!/usr/bin/env bash
# An S3-compatible server for the attachment tests: moto's server mode (PyPI) in a venv under
# $HOME/.cache/support-console/, on a free loopback port, with one bucket.
#   eval "$(bash scripts/services/s3.sh start)"   # prints the AWS_* and SUPPORT_TEST_ATTACHMENTS exports
#   bash scripts/services/s3.sh stop
# moto rather than s3s-fs: its pip install is downloads and 26 s of CPU (4.5 min of wall time on a 2-core machine
# at load 13), where a `cargo install` of s3s-fs compiles an S3 stack for minutes of CPU. Only moto's S3 extra and
# Flask (its server mode) are installed: `moto[server]` would bring every service's dependencies (sympy, cfn-lint).
# It keeps objects in memory: test data only. SUPPORT_S3_STATE names another folder for the pid and log (default
# $HOME/.cache/support-console/s3-service), so two runs side by side (worktrees on one machine) do not stop each
# other's server; give the same value to `stop`.
set -euo pipefail

cache="$HOME/.cache/support-console"
venv="$cache/moto-venv"
state="${SUPPORT_S3_STATE:-$cache/s3-service}"
moto_version="5.2.5"
bucket="support-test"

log() { echo "s3.sh: $*" >&2; }

install() {
  if [ -x "$venv/bin/moto_server" ] && "$venv/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$moto_version')" 2>/dev/null; then
    return
  fi
  log "installing moto[s3] $moto_version + flask into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[s3]==$moto_version" "flask>=3,<4" "flask-cors>=5,<7" >&2
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  install
  stop_quietly
  mkdir -p "$state"
  local port
  port=$(free_port)
  "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$state/log" 2>&1 &
  echo $! >"$state/pid"
  local endpoint="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null "$endpoint/" 2>/dev/null; then break; fi
    if ! kill -0 "$(cat "$state/pid")" 2>/dev/null; then
      log "moto_server exited:"; cat "$state/log" >&2; exit 1
    fi
    sleep 0.1
  done
  # CreateBucket is a plain unsigned-tolerant PUT on moto.
  curl -fsS -X PUT -o /dev/null "$endpoint/$bucket"
  log "moto on $endpoint, bucket $bucket (pid $(cat "$state/pid"))"
  cat <<ENV
export AWS_ENDPOINT_URL=$endpoint
export AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=test
export AWS_SECRET_ACCESS_KEY=test
export AWS_ALLOW_HTTP=true
export SUPPORT_TEST_ATTACHMENTS=s3://$bucket/tests
ENV
}

stop_quietly() {
  if [ -f "$state/pid" ]; then
    local pid
    pid=$(cat "$state/pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$state/pid"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop_quietly; log "stopped" ;;
  install) install ;;
  *) echo "usage: $0 start|stop|install" >&2; exit 2 ;;
esac
