#!/usr/bin/env bash
# Installs the Debian packages the test suite uses (real consumers and a base image source),
# only when one is missing, so `npm test` on a set-up machine costs one dpkg query.
set -euo pipefail
packages=(busybox-static skopeo umoci podman runc golang-github-containers-common uidmap fuse-overlayfs openssh-client qemu-user-static gcc libc6-dev docker-registry apache2-utils pigz util-linux iproute2 openssl tar gzip bzip2 xz-utils zstd)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "tsbuild setup: missing Debian packages (${missing[*]}); run as root to install them" >&2
  exit 1
fi
echo "tsbuild setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq -o DPkg::Lock::Timeout=600
apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
