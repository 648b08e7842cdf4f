#!/usr/bin/env bash
# Everything CI needs from Debian, installed in one place before anything runs in the background, then the Docker
# engine started. Idempotent: only what is missing is installed, and a daemon that answers is kept.
# - Bookworm's apt (2.6) does not wait for the package lists' lock: two `apt-get update` at once make the second
#   fail. So every install of this repository (this script, bench/run.sh, docker/base-images/build.sh) takes the
#   same lock file first, and in CI this script has installed everything before the others run.
# - Docker: bookworm's docker.io is 20.10 (API 1.41), too old for Testcontainers 4.x (API >= 1.44); trixie's 26.1
#   installs next to bookworm's containerd and runc, pinned low so nothing else comes from trixie. Prometheus 2.53
#   comes from trixie too.
# - No systemd on these machines: dockerd runs in the background under nohup, its networks in 198.18.0.0/15
#   (reserved for testing), never in a private range.
set -euo pipefail

readonly MIN_API="1.44"
readonly LOG=/var/log/dockerd.log
readonly APT_LOCK=/var/lock/minikube-demo-apt.lock

# What each package is for: the Docker engine; debootstrap for the base-image stand-ins; Prometheus for the
# telemetry tier; wrk, nginx, h2load and Go for the benchmark (bench/run.sh).
bookworm=(containerd runc iptables tini debootstrap wrk nginx-light nghttp2-client golang-go)
trixie=(docker.io prometheus)
declare -A provides=([docker.io]=dockerd [nginx-light]=nginx [nghttp2-client]=h2load [golang-go]=go [prometheus]=promtool)

missing() { for package in "$@"; do command -v "${provides[$package]:-$package}" >/dev/null 2>&1 || echo "$package"; done; }
mapfile -t from_bookworm < <(missing "${bookworm[@]}")
mapfile -t from_trixie < <(missing "${trixie[@]}")

if [[ ${#from_bookworm[@]} -gt 0 || ${#from_trixie[@]} -gt 0 ]]; then
  echo "install: ${from_bookworm[*]} ${from_trixie[*]}"
  export DEBIAN_FRONTEND=noninteractive
  exec 9>"$APT_LOCK"
  flock 9
  if [[ ! -f /etc/apt/sources.list.d/trixie.sources ]]; then
    cat > /etc/apt/sources.list.d/trixie.sources <<'SOURCES'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
    printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' > /etc/apt/preferences.d/trixie
  fi
  apt-get -o DPkg::Lock::Timeout=300 update -q
  if [[ ${#from_bookworm[@]} -gt 0 ]]; then
    apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends "${from_bookworm[@]}"
  fi
  if [[ ${#from_trixie[@]} -gt 0 ]]; then
    apt-get -o DPkg::Lock::Timeout=300 install -y -q -t trixie --no-install-recommends "${from_trixie[@]}"
  fi
  flock -u 9
fi

api_version() { docker version --format '{{.Server.APIVersion}}' 2>/dev/null; }
# "1.45" >= "1.44"? Compared as versions, not as decimals.
api_at_least() { [ "$(printf '%s\n%s\n' "$MIN_API" "$1" | sort -V | head -n1)" = "$MIN_API" ]; }
check_api() {
  local api
  api="$(api_version)"
  if ! api_at_least "$api"; then
    echo "install: the Docker daemon speaks API $api, need >= $MIN_API (Testcontainers 4.x)" >&2
    exit 1
  fi
  echo "install: Docker engine $(docker version --format '{{.Server.Version}}') answers, API $api"
}

if docker info >/dev/null 2>&1; then
  check_api
  exit 0
fi

mkdir -p /etc/docker
echo '{ "bip": "198.18.0.1/24", "default-address-pools": [ { "base": "198.19.0.0/16", "size": 24 } ] }' \
  > /etc/docker/daemon.json

# A daemon that is still starting is waited for, not started twice.
if ! pgrep -x dockerd >/dev/null; then
  # Bridges left by an earlier daemon (docker0, br-<network id>) keep their subnets and break routing for the new
  # one, which creates them afresh.
  for bridge in $(ip -o link show type bridge | awk -F': ' '{ print $2 }' | grep -E '^(docker0|br-[0-9a-f]{12})$' || true); do
    ip link del "$bridge"
  done
  rm -f /var/run/docker.pid
  nohup dockerd >"$LOG" 2>&1 &
fi

for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    check_api
    exit 0
  fi
  sleep 1
done
echo "install: dockerd did not answer within 60 s; last lines of $LOG:" >&2
tail -n 30 "$LOG" >&2
exit 1
