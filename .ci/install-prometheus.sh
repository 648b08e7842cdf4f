#!/usr/bin/env bash
# Installs Prometheus and promtool from Debian trixie (2.53) for the telemetry tests, which start it themselves
# on loopback. Idempotent: does nothing when promtool is already there. Needs the trixie apt source that
# .ci/install-docker.sh sets up (pinned low, so only what is asked for comes from trixie). Nothing is started:
# the package's systemd unit does not run here.
set -euo pipefail

if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
  echo "install-prometheus: $(prometheus --version 2>&1 | head -n 1)"
  exit 0
fi

if [ ! -f /etc/apt/sources.list.d/trixie.sources ]; then
  echo "install-prometheus: no Debian trixie apt source; run .ci/install-docker.sh first, which adds it" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Another apt run (another job on the machine) may hold the lock for a while: wait for it.
apt-get -o DPkg::Lock::Timeout=300 update -q
apt-get -o DPkg::Lock::Timeout=300 install -y -q -t trixie --no-install-recommends prometheus
echo "install-prometheus: $(prometheus --version 2>&1 | head -n 1)"
