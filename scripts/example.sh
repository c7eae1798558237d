#!/usr/bin/env bash
# The quick-start example: builds fixtures/hello with the freshly built CLI into an OCI archive,
# then shows the result from the local image store. Uses its own cache dir unless
# TSBUILD_CACHE_DIR is set, and leaves hello.oci.tar in the current directory.
set -euo pipefail
cd "$(dirname "$0")/.."
export TSBUILD_CACHE_DIR="${TSBUILD_CACHE_DIR:-$(mktemp -d -t tsbuild-example-XXXXXX)}"
tsbuild() { node dist/cli/main.js "$@"; }
tsbuild build -t hello:latest -o type=oci,dest=./hello.oci.tar --progress plain fixtures/hello
echo
echo "Built ./hello.oci.tar (cache and image store: $TSBUILD_CACHE_DIR)"
tsbuild images
echo
tsbuild history hello
