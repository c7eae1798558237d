#!/usr/bin/env bash
# The quick-start example: copies Debian's static busybox (package busybox-static, installed by
# scripts/setup-system.sh) into example/, builds example/ with the freshly built CLI into
# hello.oci.tar in the current directory (image ID in hello.iid), then lists it from the local
# image store (the default cache dir, or $TSBUILD_CACHE_DIR).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# FROM scratch has no libc: only the statically linked build runs there.
if ! dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q "install ok installed"; then
  echo "example: needs Debian's busybox-static (run scripts/setup-system.sh as root)" >&2
  exit 1
fi
install -m 0755 /bin/busybox "$root/example/busybox"
tsbuild() { node "$root/dist/cli/main.js" "$@"; }
tsbuild build -t hello:latest -o type=oci,dest=hello.oci.tar --iidfile hello.iid --progress plain "$root/example"
echo
echo "Built $PWD/hello.oci.tar, image ID $(cat hello.iid)"
tsbuild images hello
