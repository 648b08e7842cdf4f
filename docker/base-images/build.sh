#!/usr/bin/env bash
# Builds local stand-ins for the two .NET base images, for machines that cannot pull from
# mcr.microsoft.com (air-gapped sites, this project's CI):
#   minikube-demo-base/sdk:10.0-noble-aot               debootstrap rootfs + clang + the host's .NET SDK
#   minikube-demo-base/runtime-deps:10.0-noble-chiseled only the libraries, certificates and user an AOT binary needs
# Idempotent: images that exist are kept unless --force. Needs a running Docker engine, root
# (debootstrap) and the .NET SDK in /usr/share/dotnet. Ends by printing the build arguments, and only them,
# on stdout, so `eval "$(docker/base-images/build.sh | sed 's/^/export /')"` sets them; progress goes to stderr.
set -euo pipefail
exec 3>&1 1>&2

readonly SDK_IMAGE=minikube-demo-base/sdk:10.0-noble-aot
readonly RUNTIME_DEPS_IMAGE=minikube-demo-base/runtime-deps:10.0-noble-chiseled
readonly ROOTFS_IMAGE=minikube-demo-base/debian:bookworm-minbase
readonly ROOTFS_DIR=/var/cache/minikube-demo/debootstrap-bookworm-minbase
readonly DEBIAN_MIRROR=http://deb.debian.org/debian
readonly HOST_DOTNET=/usr/share/dotnet
readonly HOST_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly here

force=false
case "${1:-}" in
  --force) force=true ;;
  "") ;;
  *) echo "usage: $0 [--force]" >&2; exit 2 ;;
esac

log() { echo "base-images: $*"; }
image_exists() { docker image inspect "$1" >/dev/null 2>&1; }
needs_build() { "$force" || ! image_exists "$1"; }

# A Debian bookworm minbase rootfs, imported as an image. The rootfs is cached outside the
# repository so a rebuild does not debootstrap again.
build_rootfs_image() {
  if ! needs_build "$ROOTFS_IMAGE"; then return; fi
  if [ ! -x "$ROOTFS_DIR/usr/bin/apt-get" ]; then
    if ! command -v debootstrap >/dev/null 2>&1; then
      # The repository's installs share one lock (.ci/install.sh): bookworm's apt fails at once on a second update.
      flock /var/lock/minikube-demo-apt.lock sh -c 'apt-get -o DPkg::Lock::Timeout=300 update -q &&
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends debootstrap' 
    fi
    log "debootstrap bookworm into $ROOTFS_DIR"
    rm -rf "$ROOTFS_DIR" "$ROOTFS_DIR.partial"
    mkdir -p "$(dirname "$ROOTFS_DIR")"
    debootstrap --variant=minbase bookworm "$ROOTFS_DIR.partial" "$DEBIAN_MIRROR"
    mv "$ROOTFS_DIR.partial" "$ROOTFS_DIR"
  fi
  log "importing $ROOTFS_IMAGE"
  tar -C "$ROOTFS_DIR" -c . | docker import - "$ROOTFS_IMAGE" >/dev/null
}

# The build context is a tar stream: the Dockerfile from here plus host paths, without
# copying the 600 MB SDK anywhere first.
build_sdk_image() {
  if ! needs_build "$SDK_IMAGE"; then return; fi
  log "building $SDK_IMAGE from $HOST_DOTNET (SDK $(ls "$HOST_DOTNET/sdk" | paste -sd ' '))"
  tar -c -C "$here" sdk.Dockerfile -C / "${HOST_DOTNET#/}" "${HOST_CA_BUNDLE#/}" \
    | docker build -q -f sdk.Dockerfile --build-arg BASE_IMAGE="$ROOTFS_IMAGE" -t "$SDK_IMAGE" - >/dev/null
}

build_runtime_deps_image() {
  if ! needs_build "$RUNTIME_DEPS_IMAGE"; then return; fi
  log "building $RUNTIME_DEPS_IMAGE"
  tar -c -C "$here" runtime-deps.Dockerfile \
    | docker build -q -f runtime-deps.Dockerfile --build-arg BASE_IMAGE="$ROOTFS_IMAGE" -t "$RUNTIME_DEPS_IMAGE" - >/dev/null
}

if [ ! -x "$HOST_DOTNET/dotnet" ] || [ ! -f "$HOST_CA_BUNDLE" ]; then
  echo "base-images: need the .NET SDK in $HOST_DOTNET and a CA bundle at $HOST_CA_BUNDLE" >&2
  exit 1
fi

if needs_build "$SDK_IMAGE" || needs_build "$RUNTIME_DEPS_IMAGE"; then
  build_rootfs_image
  build_sdk_image
  build_runtime_deps_image
else
  log "stand-ins exist (use --force to rebuild)"
fi

echo "SDK_IMAGE=$SDK_IMAGE" >&3
echo "RUNTIME_DEPS_IMAGE=$RUNTIME_DEPS_IMAGE" >&3
