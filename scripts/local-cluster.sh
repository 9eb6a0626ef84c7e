#!/usr/bin/env bash
# Starts a whole multi-instance Gatehouse on this machine, from Debian's
# packages: PostgreSQL + Redis, N Gatehouse instances, nginx in front.
#
#   scripts/local-cluster.sh start [N] [PORT]   # N instances (default 2), nginx on PORT (default 8080),
#                                               # with TLS on PORT+25 (a self-signed certificate),
#                                               # and on PORT+50 for the envelope listeners
#   scripts/local-cluster.sh stop
#
# Needs: apt-get install postgresql redis-server nginx openssl; npm install.
# State lives in ./cluster (override with CLUSTER_DIR). With DATABASE_URL and
# REDIS_URL set, the instances use those servers instead of starting their own.
# The instances sign ES256 with keys kept in PostgreSQL (published at
# /.well-known/jwks.json), sealed with MFA_ENCRYPTION_KEY (when set, the one
# given; otherwise a random one). JWT_PREVIOUS_SECRETS, when set, still
# verifies the HS256 tokens of a cluster that signed with that secret before.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${CLUSTER_DIR:-$PWD/cluster}
node=node_modules/.bin/node
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

start() {
  local count=${1:-2} port=${2:-8080}
  mkdir -p "$dir" && chmod 755 "$dir"
  if [ -n "${DATABASE_URL:-}" ] && [ -n "${REDIS_URL:-}" ]; then
    GATEHOUSE_TEST_DATABASE_URL=$DATABASE_URL GATEHOUSE_TEST_REDIS_URL=$REDIS_URL
  else
    eval "$($node test/support/services.ts start "$dir/services")"
  fi
  local tls_port=$((port + 25))
  # TLS at nginx: links in mail and the pages' cookies follow PUBLIC_URL (https);
  # the instances trust nginx's X-Forwarded-For by its address.
  mkdir -p "$dir/tls"
  [ -f "$dir/tls/cert.pem" ] || openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$dir/tls/key.pem" -out "$dir/tls/cert.pem" 2>/dev/null
  local encryption_key=${MFA_ENCRYPTION_KEY:-$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')}
  # What the instances share, for the gatehouse command: set -a; . cluster/cluster.env; set +a
  printf 'DATABASE_URL=%s\nREDIS_URL=%s\nJWT_ALGORITHM=ES256\nMFA_ENCRYPTION_KEY=%s\nPUBLIC_URL=%s\n' "$GATEHOUSE_TEST_DATABASE_URL" "$GATEHOUSE_TEST_REDIS_URL" \
    "$encryption_key" "https://127.0.0.1:$tls_port" > "$dir/cluster.env"
  [ -z "${JWT_PREVIOUS_SECRETS:-}" ] || printf 'JWT_PREVIOUS_SECRETS=%s\n' "$JWT_PREVIOUS_SECRETS" >> "$dir/cluster.env"
  chmod 600 "$dir/cluster.env"
  local upstreams="" envelope_upstreams=""
  for i in $(seq 1 "$count"); do
    local p=$((port + i)) e=$((port + 50 + i))
    DATA_DIR="$dir/instance-$i" DATABASE_URL="$GATEHOUSE_TEST_DATABASE_URL" REDIS_URL="$GATEHOUSE_TEST_REDIS_URL" \
      JWT_ALGORITHM=ES256 JWT_PREVIOUS_SECRETS="${JWT_PREVIOUS_SECRETS:-}" MFA_ENCRYPTION_KEY="$encryption_key" PUBLIC_URL="https://127.0.0.1:$tls_port" PORT=$p ENVELOPE_PORT=$e HOST=127.0.0.1 TRUST_PROXY=127.0.0.1 RATE_LIMIT="${RATE_LIMIT:-on}" LOG_LEVEL="${LOG_LEVEL:-warn}" \
      nohup $node --max-semi-space-size=4 bin/gatehouse.js serve > "$dir/instance-$i.log" 2>&1 &
    echo $! > "$dir/instance-$i.pid"
    upstreams+="    server 127.0.0.1:$p max_fails=1 fail_timeout=2s;"$'\n'
    envelope_upstreams+="    server 127.0.0.1:$e max_fails=1 fail_timeout=2s;"$'\n'
  done
  for i in $(seq 1 "$count"); do
    # Until it listens or exits: a start on a busy machine can take many seconds (2 minutes at most).
    for _ in $(seq 1 1200); do
      grep -q "Gatehouse listening" "$dir/instance-$i.log" && break
      kill -0 "$(cat "$dir/instance-$i.pid")" 2>/dev/null || break
      sleep 0.1
    done
    grep -q "Gatehouse listening" "$dir/instance-$i.log" || { cat "$dir/instance-$i.log"; exit 1; }
  done
  local conf="$dir/nginx.conf" text
  text=$(<deploy/nginx.conf.template)
  text=${text//\{\{UPSTREAMS\}\}/${upstreams%$'\n'}}
  text=${text//\{\{PREFIX\}\}/$dir}
  text=${text//\{\{LISTEN\}\}/127.0.0.1:$port}
  text=${text//\{\{TLS_LISTEN\}\}/127.0.0.1:$tls_port}
  text=${text//\{\{ENVELOPE_UPSTREAMS\}\}/${envelope_upstreams%$'\n'}}
  text=${text//\{\{ENVELOPE_LISTEN\}\}/127.0.0.1:$((port + 50))}
  printf '%s\n' "$text" > "$conf"
  "$nginx_bin" -p "$dir" -c "$conf"
  echo "Gatehouse: $count instances behind nginx at http://127.0.0.1:$port and https://127.0.0.1:$tls_port (envelope style: http://127.0.0.1:$((port + 50))) (state in $dir)"
}

stop() {
  [ -f "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true
  for pidfile in "$dir"/instance-*.pid; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  $node test/support/services.ts stop "$dir/services" || true
  echo "stopped"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  *) echo "usage: $0 start [N] [PORT] | stop" >&2; exit 2 ;;
esac
