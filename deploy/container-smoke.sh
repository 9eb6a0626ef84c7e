#!/usr/bin/env bash
# Builds Gatehouse's image (Containerfile) and smoke-tests it as a user would:
# start it, register, log in, stop it (SIGTERM), start it again, log in again
# with the data kept in the /data volume. Run from a checkout after `npm install`.
#
#   deploy/container-smoke.sh            # needs podman, buildah, mmdebstrap, runc, slirp4netns, uidmap
#
# No image registry is reachable here, so the base is a Debian root file system
# made with mmdebstrap from the mirror apt already uses (docs/operations.md).
# BASE=<image> uses an existing base instead (e.g. debian:bookworm-slim where a
# registry is reachable). CONTAINER_STORE=<dir> keeps podman's storage (and the
# base) between runs; by default everything goes to a temporary folder that is
# removed at the end.
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
seconds() { echo "$(($(date +%s%N) / 1000000))"; }
elapsed() { local ms=$(($(seconds) - $1)); printf '%d.%03d s' $((ms / 1000)) $((ms % 1000)); }

for tool in podman runc curl; do command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (apt-get install podman buildah mmdebstrap runc slirp4netns uidmap)"; done
[ -n "${BASE:-}" ] || command -v mmdebstrap >/dev/null 2>&1 || skip "mmdebstrap is not installed and BASE is not set"
[ -x node_modules/node/bin/node ] || { echo "container smoke: run npm install first" >&2; exit 1; }

work=$(mktemp -d)
store=${CONTAINER_STORE:-$work/storage}
mkdir -p "$store"
# Limits no higher than the machine's own (root may lack CAP_SYS_RESOURCE in a VM),
# and runc (crun refuses hybrid cgroups): see containers.md in the deploy notes.
nofile=$(ulimit -Hn) nproc=$(ulimit -Hu) pid_max=$(cat /proc/sys/kernel/pid_max)
{ [ "$nproc" = unlimited ] || [ "$nproc" -gt "$pid_max" ]; } && nproc=$pid_max
[ "$nofile" = unlimited ] && nofile=1048576
printf '[containers]\ndefault_ulimits=["nofile=%s:%s","nproc=%s:%s"]\n[engine]\nruntime="runc"\n' "$nofile" "$nofile" "$nproc" "$nproc" > "$work/containers.conf"
export CONTAINERS_CONF=$work/containers.conf
podman=(podman --root "$store/root" --runroot "$store/run" --storage-driver overlay)
image=localhost/gatehouse:smoke
name=gatehouse-smoke-$$
volume=gatehouse-smoke-data-$$
cleanup() {
  local status=$?
  "${podman[@]}" rm -f -t 2 "$name" >/dev/null 2>&1 || true
  [ -s "$work/podman.err" ] && [ "$status" != 0 ] && sed "s/^/podman: /" "$work/podman.err" >&2
  "${podman[@]}" volume rm -f "$volume" >/dev/null 2>&1 || true
  if [ -z "${CONTAINER_STORE:-}" ]; then "${podman[@]}" rmi -af >/dev/null 2>&1 || true; fi
  rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT

base=${BASE:-localhost/debian-base:bookworm}
if [ -z "${BASE:-}" ] && ! "${podman[@]}" image exists "$base"; then
  mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$mirror" ] || skip "no Debian mirror found in /etc/apt to build the base from"
  say "building the base (Debian bookworm from $mirror)"
  t=$(seconds)
  mmdebstrap -q --variant=essential --include=libstdc++6,ca-certificates \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' bookworm - "$mirror" |
    "${podman[@]}" import -q - "$base" >/dev/null || skip "could not build a Debian base with mmdebstrap"
  say "base built in $(elapsed "$t")"
fi
"${podman[@]}" run --rm --network none "$base" true >/dev/null 2>"$work/probe.err" ||
  skip "podman cannot run a container on this machine: $(tail -1 "$work/probe.err")"

t=$(seconds)
"${podman[@]}" build -q --format docker --network host --build-arg BASE="$base" -t "$image" . >/dev/null
say "image built in $(elapsed "$t"), $(("$("${podman[@]}" image inspect --format '{{.Size}}' "$image")" / 1000000)) MB"

# The image carries nothing of the checkout's configuration or data.
if "${podman[@]}" run --rm --entrypoint /bin/sh "$image" -c 'ls -a /app /data; test -e /app/.env || test -e /app/data' | grep -qE '(^\.env$|^data$)'; then
  echo "container smoke: the image contains a .env or a data folder" >&2
  exit 1
fi

"${podman[@]}" volume create "$volume" >/dev/null
"${podman[@]}" create --name "$name" --network slirp4netns -p 127.0.0.1::8000 -v "$volume:/data" \
  --health-interval disable -e LOG_LEVEL=warn "$image" >/dev/null 2>>"$work/podman.err"

# podman start says on stderr that it cannot set the HEALTHCHECK timer where systemd
# is not running (as here); `podman healthcheck run` below runs the check itself.
wait_ready() {
  local i
  for i in $(seq 1 600); do
    curl -fsS -o /dev/null "$url/healthz" 2>/dev/null && return 0
    [ "$("${podman[@]}" inspect --format '{{.State.Running}}' "$name")" = true ] || break
    sleep 0.1
  done
  echo "container smoke: no answer on /healthz" >&2
  "${podman[@]}" logs "$name" >&2
  return 1
}
post() { curl -sS -o "$work/body" -w '%{http_code}' -X POST "$url$1" -H 'Content-Type: application/json' -d "$2"; }
expect() {
  local got=$1 want=$2 what=$3
  [ "$got" = "$want" ] && return 0
  echo "container smoke: $what answered $got, expected $want: $(cat "$work/body")" >&2
  "${podman[@]}" logs "$name" >&2
  exit 1
}

t=$(seconds)
"${podman[@]}" start "$name" >/dev/null 2>>"$work/podman.err"
url=http://$("${podman[@]}" port "$name" 8000/tcp)
wait_ready
say "first start: /healthz answered $(elapsed "$t") after podman start"
"${podman[@]}" healthcheck run "$name" >/dev/null 2>>"$work/podman.err" || { echo "container smoke: HEALTHCHECK failed" >&2; exit 1; }
[ "$("${podman[@]}" exec "$name" id -u)" = 10001 ] || { echo "container smoke: the server does not run as the gatehouse user" >&2; exit 1; }

account='{"email":"smoke@example.com","password":"correct-horse-42","first_name":"Smoke"}'
expect "$(post /api/users/register "$account")" 200 register
expect "$(post /api/users/login "$account")" 200 login
# The gatehouse command inside the container, with the container's settings.
"${podman[@]}" exec "$name" gatehouse users list 2>>"$work/podman.err" | grep -q smoke@example.com ||
  { echo "container smoke: gatehouse users list inside the container does not list the account" >&2; exit 1; }

# podman stop sends SIGTERM: the server must finish and exit 0 well before the 20 s kill.
t=$(seconds)
"${podman[@]}" stop -t 20 "$name" >/dev/null 2>>"$work/podman.err"
code=$("${podman[@]}" inspect --format '{{.State.ExitCode}}' "$name")
[ "$code" = 0 ] || { echo "container smoke: exit code $code after SIGTERM" >&2; "${podman[@]}" logs "$name" >&2; exit 1; }
say "stopped by SIGTERM in $(elapsed "$t"), exit code 0"

t=$(seconds)
"${podman[@]}" start "$name" >/dev/null 2>>"$work/podman.err"
url=http://$("${podman[@]}" port "$name" 8000/tcp)
wait_ready
say "restart: /healthz answered $(elapsed "$t") after podman start"
expect "$(post /api/users/login "$account")" 200 "login after the restart"
expect "$(post /api/users/register "$account")" 400 "registering the same email again"
say "passed: registered, logged in, restarted, logged in again with the data kept in /data"
