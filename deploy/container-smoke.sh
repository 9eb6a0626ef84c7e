#!/usr/bin/env bash
# Builds and starts Gatehouse's image with the commands docs/operations.md
# prints ("A container"), run as printed, and smoke-tests it as a user would:
# the start without PUBLIC_URL is refused in one line; then register, log in,
# sign an OpenID Connect app in (deploy/relying-party.ts: discovery, code with
# PKCE, the id_token's issuer and signature), stop it (SIGTERM), start it
# again, log in again with the data kept in the /data volume. Run from a
# checkout after `npm install`.
#
#   deploy/container-smoke.sh            # needs podman, buildah, mmdebstrap, runc, slirp4netns, uidmap
#
# The documented blocks run with podman's storage and settings in a folder of
# this run's own (CONTAINERS_STORAGE_CONF, CONTAINERS_CONF), so nothing of the
# machine's podman changes; what differs from the page: free ports instead of
# 8000 and 5000 (and PUBLIC_URL to match), the containers.conf written where
# CONTAINERS_CONF points instead of /etc/containers, and no network for the
# build's steps (they need none) and slirp4netns for the container: podman's
# default bridge would leave an interface behind on the host.
# BASE=<image> uses an existing base instead of the documented mmdebstrap one
# (e.g. debian:bookworm-slim where a registry is reachable). CONTAINER_STORE=<dir>
# keeps podman's storage (and the base) between runs; by default everything
# goes to a temporary folder that is removed at the end.
#
# When the machine cannot run containers at all (tools missing, podman refuses
# to start anything), it prints "container smoke test SKIPPED: <why>" and exits 0;
# once a container runs, any failure fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."

skip() {
  echo "container smoke test SKIPPED: $*"
  exit 0
}
say() { echo "container smoke: $*"; }
fail() {
  echo "container smoke: $*" >&2
  exit 1
}
seconds() { echo "$(($(date +%s%N) / 1000000))"; }
elapsed() { local ms=$(($(seconds) - $1)); printf '%d.%03d s' $((ms / 1000)) $((ms % 1000)); }

for tool in podman runc curl; do command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (apt-get install podman buildah mmdebstrap runc slirp4netns uidmap)"; done
[ -n "${BASE:-}" ] || command -v mmdebstrap >/dev/null 2>&1 || skip "mmdebstrap is not installed and BASE is not set"
[ -x node_modules/node/bin/node ] || fail "run npm install first"
node=node_modules/node/bin/node

work=$(mktemp -d)
store=${CONTAINER_STORE:-$work/storage}
mkdir -p "$store"
printf '[storage]\ndriver = "overlay"\ngraphroot = "%s/root"\nrunroot = "%s/run"\n' "$store" "$store" >"$work/storage.conf"
export CONTAINERS_STORAGE_CONF=$work/storage.conf CONTAINERS_CONF=$work/containers.conf
: >"$CONTAINERS_CONF"
name=gatehouse
volume=gatehouse-data
cleanup() {
  local status=$?
  podman rm -f -t 2 "$name" "$name-without-public-url" >/dev/null 2>&1 || true
  [ -s "$work/podman.err" ] && [ "$status" != 0 ] && sed "s/^/podman: /" "$work/podman.err" >&2
  podman volume rm -f "$volume" >/dev/null 2>&1 || true
  if [ -z "${CONTAINER_STORE:-}" ]; then podman rmi -af >/dev/null 2>&1 || true; fi
  rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT

# The shell block of docs/operations.md whose first line starts with $1, with
# each further pair of arguments (text, replacement) replaced in it.
block() {
  "$node" -e '
    const [start, ...pairs] = process.argv.slice(1);
    const doc = require("node:fs").readFileSync("docs/operations.md", "utf8");
    const found = [...doc.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]).filter((b) => b.startsWith(start));
    if (found.length !== 1) {
      console.error(`container smoke: docs/operations.md has ${found.length} shell blocks starting with ${start}`);
      process.exit(1);
    }
    let text = found[0];
    for (let i = 0; i < pairs.length; i += 2) {
      if (!text.includes(pairs[i])) {
        console.error(`container smoke: the block starting with ${start} no longer says ${pairs[i]}`);
        process.exit(1);
      }
      text = text.replaceAll(pairs[i], pairs[i + 1]);
    }
    process.stdout.write(text);' "$@"
}
run_block() {
  local text
  text=$(block "$@")
  bash -euo pipefail -c "$text"
}
free_port() { "$node" -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'; }

# podman's limits and runtime for this machine, as the page writes them.
run_block 'nofile=$(ulimit -Hn)' '/etc/containers/containers.conf' "$CONTAINERS_CONF"

base=${BASE:-localhost/debian-base:bookworm}
if [ -z "${BASE:-}" ] && ! podman image exists "$base"; then
  [ -f /etc/apt/sources.list.d/debian.sources ] || skip "no /etc/apt/sources.list.d/debian.sources to find the Debian mirror in"
  say "building the base as docs/operations.md prints it (Debian bookworm)"
  t=$(seconds)
  run_block 'mirror=$(awk' >/dev/null 2>"$work/base.err" || { cat "$work/base.err" >&2; skip "could not build a Debian base with mmdebstrap"; }
  say "base built in $(elapsed "$t")"
fi
podman run --rm --network none "$base" true >/dev/null 2>"$work/probe.err" ||
  skip "podman cannot run a container on this machine: $(tail -1 "$work/probe.err")"

port=$(free_port)
envelope_port=$(free_port)
url=http://localhost:$port
build_arg=()
[ -n "${BASE:-}" ] && build_arg=(--build-arg "BASE=$BASE")
images_before=$(podman images -q | sort)

# The page's build, start and CLI lines.
t=$(seconds)
run_block 'podman build --format docker -t localhost/gatehouse .' \
  'podman build ' "podman build -q --network none ${build_arg[*]} " \
  'podman run -d ' 'podman run -d --network slirp4netns ' \
  '-p 8000:8000' "-p $port:8000" \
  '-p 5000:5000' "-p $envelope_port:5000" \
  'PUBLIC_URL=http://localhost:8000' "PUBLIC_URL=$url" \
  'podman exec gatehouse gatehouse users list' 'podman exec gatehouse gatehouse users list >/dev/null' \
  >"$work/run.out" 2>>"$work/podman.err" || { cat "$work/run.out" >&2; fail "the documented build and run failed"; }
image=localhost/gatehouse
say "image built and started in $(elapsed "$t"), $(("$(podman image inspect --format '{{.Size}}' "$image")" / 1000000)) MB"

# The build left no other image behind (a build stage used to leave 579 MB each time).
left=$(comm -13 <(echo "$images_before") <(podman images -q | sort) | grep -vx "$(podman image inspect --format '{{.Id}}' "$image" | cut -c1-12)" || true)
[ -z "$left" ] || fail "the build left other images behind: $(podman images --format '{{.ID}} {{.Repository}}:{{.Tag}} {{.Size}}' | grep -F "$left")"

# The image carries nothing of the checkout's configuration or data.
if podman run --rm --network none --entrypoint /bin/sh "$image" -c 'ls -a /app /data; test -e /app/.env || test -e /app/data' 2>/dev/null | grep -qE '(^\.env$|^data$)'; then
  fail "the image contains a .env or a data folder"
fi

# Without PUBLIC_URL the image refuses to start: one line naming it, exit 2 (a server that starts is stopped after 2 minutes).
set +e
timeout 120 podman run --rm --network none --name "$name-without-public-url" "$image" >"$work/nopublic.out" 2>&1
code=$?
set -e
grep -v 'systemd connection' "$work/nopublic.out" >"$work/nopublic.lines" || true
[ "$code" = 2 ] && [ "$(wc -l <"$work/nopublic.lines")" = 1 ] && grep -q '^gatehouse: PUBLIC_URL: must be set when HOST is 0.0.0.0' "$work/nopublic.lines" ||
  fail "started without PUBLIC_URL: exit $code, $(cat "$work/nopublic.out")"
say "without PUBLIC_URL: refused in one line, exit 2"

# podman run says on stderr that it cannot set the HEALTHCHECK timer where systemd
# is not running (as here); `podman healthcheck run` below runs the check itself.
wait_ready() {
  local i
  for i in $(seq 1 600); do
    curl -fsS -o /dev/null "$url/healthz" 2>/dev/null && return 0
    [ "$(podman inspect --format '{{.State.Running}}' "$name")" = true ] || break
    sleep 0.1
  done
  podman logs "$name" >&2
  fail "no answer on /healthz"
}
post() { curl -sS -o "$work/body" -w '%{http_code}' -X POST "$url$1" -H 'Content-Type: application/json' -d "$2"; }
expect() {
  local got=$1 want=$2 what=$3
  [ "$got" = "$want" ] && return 0
  podman logs "$name" >&2
  fail "$what answered $got, expected $want: $(cat "$work/body")"
}

t=$(seconds)
wait_ready
say "first start: /healthz answered $(elapsed "$t") after the build"
podman healthcheck run "$name" >/dev/null 2>>"$work/podman.err" || fail "HEALTHCHECK failed"
[ "$(podman exec "$name" id -u)" = 10001 ] || fail "the server does not run as the gatehouse user"

account='{"email":"smoke@example.com","password":"correct-horse-42","first_name":"Smoke"}'
expect "$(post /api/users/register "$account")" 200 register
expect "$(post /api/users/login "$account")" 200 login
# The gatehouse command inside the container, with the container's settings.
podman exec "$name" gatehouse users list 2>>"$work/podman.err" | grep -q smoke@example.com ||
  fail "gatehouse users list inside the container does not list the account"

# An OpenID Connect app signs the user in against the container, at the address it was started with.
redirect=http://localhost/callback
podman exec "$name" gatehouse clients add --name Smoke --redirect-uri "$redirect" --json >"$work/app.json" 2>>"$work/podman.err" ||
  fail "gatehouse clients add inside the container failed"
client_id=$("$node" -p 'JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).client_id' "$work/app.json")
client_secret=$("$node" -p 'JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).client_secret' "$work/app.json")
signed_in=$(ISSUER=$url/oidc CLIENT_ID=$client_id CLIENT_SECRET=$client_secret REDIRECT_URI=$redirect LOGIN=smoke@example.com PASSWORD=correct-horse-42 \
  "$node" deploy/relying-party.ts) || { podman logs "$name" >&2; fail "the OpenID Connect app could not sign in"; }
say "an OpenID Connect app signed in: $signed_in"

# podman stop sends SIGTERM: the server must finish and exit 0 well before the 20 s kill.
t=$(seconds)
podman stop -t 20 "$name" >/dev/null 2>>"$work/podman.err"
code=$(podman inspect --format '{{.State.ExitCode}}' "$name")
[ "$code" = 0 ] || { podman logs "$name" >&2; fail "exit code $code after SIGTERM"; }
say "stopped by SIGTERM in $(elapsed "$t"), exit code 0"

t=$(seconds)
podman start "$name" >/dev/null 2>>"$work/podman.err"
wait_ready
say "restart: /healthz answered $(elapsed "$t") after podman start"
expect "$(post /api/users/login "$account")" 200 "login after the restart"
expect "$(post /api/users/register "$account")" 400 "registering the same email again"
say "passed: registered, logged in, signed an OpenID Connect app in, restarted, logged in again with the data kept in /data"
