#!/usr/bin/env bash
# Installs and starts a Docker engine new enough for Testcontainers 4.x (API >= 1.44).
# Idempotent: does nothing when a daemon already answers. Recipe: shared/ENVIRONMENT.md.
# - Debian bookworm's docker.io is 20.10 (API 1.41, too old); trixie's 26.1 (API 1.45)
#   installs next to bookworm's containerd/runc, pinned so nothing else comes from trixie.
# - No systemd on these machines: dockerd runs in the background under nohup.
# - Docker's networks live in 198.18.0.0/15 (reserved for testing), never in a private range.
set -euo pipefail

readonly MIN_API="1.44"
readonly LOG=/var/log/dockerd.log

api_version() { docker version --format '{{.Server.APIVersion}}' 2>/dev/null; }

# "1.45" >= "1.44"? Compares as versions, not as decimals.
api_at_least() { [ "$(printf '%s\n%s\n' "$MIN_API" "$1" | sort -V | head -n1)" = "$MIN_API" ]; }

check_api() {
  local api
  api="$(api_version)"
  if ! api_at_least "$api"; then
    echo "install-docker: daemon speaks API $api, need >= $MIN_API (Testcontainers 4.x)" >&2
    exit 1
  fi
  echo "install-docker: Docker engine $(docker version --format '{{.Server.Version}}') answers, API $api"
}

if docker info >/dev/null 2>&1; then
  check_api
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  # Another apt run (another job on the machine) may hold the lock for a while: wait for it.
  apt-get -o DPkg::Lock::Timeout=300 update -q
  apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends containerd runc iptables tini
  cat > /etc/apt/sources.list.d/trixie.sources <<'SOURCES'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' > /etc/apt/preferences.d/trixie
  apt-get -o DPkg::Lock::Timeout=300 update -q
  apt-get -o DPkg::Lock::Timeout=300 install -y -q -t trixie --no-install-recommends docker.io
fi

mkdir -p /etc/docker
echo '{ "bip": "198.18.0.1/24", "default-address-pools": [ { "base": "198.19.0.0/16", "size": 24 } ] }' \
  > /etc/docker/daemon.json

# A daemon that is still starting is waited for, not started twice.
if ! pgrep -x dockerd >/dev/null; then
  # Bridges left by an earlier daemon (docker0, br-<network id>) keep their subnets and break routing
  # for the new one, which creates them afresh.
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
echo "install-docker: dockerd did not answer within 60 s; last lines of $LOG:" >&2
tail -n 30 "$LOG" >&2
exit 1
