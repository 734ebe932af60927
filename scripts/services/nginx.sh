#!/usr/bin/env bash
# A round-robin load balancer on loopback for tests: Debian's nginx (installed if missing) in front of several
# server instances, with its config, pid file, logs and temp files in a folder of its own, so nothing system-wide is
# read or written and several can run side by side.
#
#   eval "$(bash scripts/services/nginx.sh start 18761 18762)"   # upstream ports; prints the env below
#   bash scripts/services/nginx.sh stop                           # uses SUPPORT_NGINX_DIR from that env
#   bash scripts/services/nginx.sh install                        # only installs it, if missing
#
# start prints `export` lines for SUPPORT_NGINX_URL, SUPPORT_NGINX_PORT, SUPPORT_NGINX_DIR and SUPPORT_NGINX_PID.
# NGINX_PORT picks the port to listen on (default: a free loopback port); NGINX_DIR the folder (default: a new
# temporary one, removed by stop).
#
# Every response carries `X-Upstream: 127.0.0.1:PORT`, the instance that answered it (nginx's $upstream_addr: a
# loopback port, nothing a client could use), so a test can see consecutive requests reach different instances.
set -euo pipefail

say() { printf 'nginx.sh: %s\n' "$*" >&2; }
die() { printf 'nginx.sh: error: %s\n' "$*" >&2; exit 1; }

NGINX_BIN=/usr/sbin/nginx

install_nginx() {
  [ -x "$NGINX_BIN" ] && return 0
  # Several test servers may start at once (one per Playwright worker): one installs, the others wait for it.
  exec 9>"${TMPDIR:-/tmp}/support-nginx-install.lock"
  flock 9
  [ -x "$NGINX_BIN" ] && { exec 9>&-; return 0; }
  command -v apt-get >/dev/null 2>&1 || die "nginx is missing and there is no apt-get to install it"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  say "installing Debian's nginx"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx >&2
  [ -x "$NGINX_BIN" ] || die "apt-get installed nginx but $NGINX_BIN is missing"
  exec 9>&-
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
  [ "$#" -ge 1 ] || die "usage: nginx.sh start UPSTREAM_PORT..."
  install_nginx
  local port="${NGINX_PORT:-$(free_port)}" dir="${NGINX_DIR:-}" upstreams="" p
  if [ -n "$dir" ]; then
    mkdir -p "$dir"
  else
    dir="$(mktemp -d "${TMPDIR:-/tmp}/support-nginx-XXXXXX")"
  fi
  mkdir -p "$dir/tmp"
  # nginx's workers drop root (to nobody or www-data) and must still reach the temp folders nginx makes in here.
  chmod 755 "$dir"
  for p in "$@"; do
    case "$p" in *[!0-9]*|"") die "not a port: $p" ;; esac
    # max_fails=0: a test that restarts an instance must not get it taken out of the rotation for 10 s.
    upstreams+="    server 127.0.0.1:${p} max_fails=0;"$'\n'
  done
  cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log ${dir}/access.log;
  # Temporary files in our own folder: the defaults under /var/lib/nginx may not exist or be writable.
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;

  # Round-robin (nginx's default): no ip_hash, no sticky cookie, so one user's consecutive requests alternate.
  # Idle connections to the instances are closed here before an instance closes them: the server closes a connection
  # that sends no request for --header-read-timeout-secs (10 s), and nginx (60 s by default) could send a request on
  # one the instance was closing at that moment, which with proxy_next_upstream off is a 502 for the browser (CI saw
  # one on a wasm chunk).
  upstream support {
${upstreams}    keepalive 16;
    keepalive_timeout 5s;
  }

  server {
    listen 127.0.0.1:${port};
    # Above the server's own limits (25 MB files, 30 MB inbound mail), so the server's 413 with its JSON error is
    # what a client sees, never nginx's HTML one.
    client_max_body_size 64m;
    # Stream uploads and downloads through instead of spooling them to disk first: the server's own timeouts and
    # size checks see the body as the client sends it.
    proxy_request_buffering off;
    proxy_buffering off;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host \$http_host;
    proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto \$scheme;
    proxy_read_timeout 700s;
    proxy_send_timeout 700s;
    # A request is never retried on the other instance: a create that timed out may have been stored.
    proxy_next_upstream off;
    add_header X-Upstream \$upstream_addr always;
    location / {
      proxy_pass http://support;
    }
  }
}
CONF
  "$NGINX_BIN" -t -q -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" -g "daemon off; pid ${dir}/nginx.pid;" >&2 2>"$dir/check.log" || {
    cat "$dir/check.log" >&2
    die "the generated config is refused (see above)"
  }
  # -p and -e: the prefix and the error log of the first moments (before the config is read) are ours as well.
  # daemon off keeps nginx in the caller's process group (a test runner that ends the group ends it too); nohup lets
  # it outlive this script.
  nohup "$NGINX_BIN" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" -g "daemon off; pid ${dir}/nginx.pid;" \
    >>"$dir/stdout.log" 2>&1 </dev/null &
  local pid=$! i
  for i in $(seq 1 50); do
    if ! kill -0 "$pid" 2>/dev/null; then
      cat "$dir/error.log" "$dir/stdout.log" >&2 2>/dev/null || true
      die "nginx exited at start"
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
      printf 'export SUPPORT_NGINX_URL=http://127.0.0.1:%s\n' "$port"
      printf 'export SUPPORT_NGINX_PORT=%s\n' "$port"
      printf 'export SUPPORT_NGINX_DIR=%q\n' "$dir"
      printf 'export SUPPORT_NGINX_PID=%s\n' "$pid"
      return 0
    fi
    sleep 0.1
  done
  kill -TERM "$pid" 2>/dev/null || true
  die "nginx did not listen on 127.0.0.1:${port} within 5 s"
}

stop() {
  local dir="${1:-${SUPPORT_NGINX_DIR:-}}" pid="" i
  [ -n "$dir" ] || die "usage: nginx.sh stop [DIR] (or SUPPORT_NGINX_DIR from start's output)"
  [ -f "$dir/nginx.pid" ] && pid="$(cat "$dir/nginx.pid")"
  [ -z "$pid" ] && pid="${SUPPORT_NGINX_PID:-}"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    # TERM: a fast stop (tests have nothing in flight worth waiting for); KILL if it is still there after 5 s.
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  # Only a folder start made itself (the default) is removed; a NGINX_DIR the caller chose is kept.
  case "$(basename "$dir")" in support-nginx-??????) rm -rf "$dir" ;; esac
}

case "${1:-}" in
  install) install_nginx ;;
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) die "usage: nginx.sh start UPSTREAM_PORT... | nginx.sh stop [DIR] | nginx.sh install" ;;
esac
