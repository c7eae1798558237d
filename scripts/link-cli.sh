#!/usr/bin/env bash
# Puts the `tsbuild` command on PATH: `npm link` makes `$(npm prefix -g)/bin/tsbuild` a symlink
# to this checkout's dist/cli/main.js (built by `npm ci`), so it follows later rebuilds. Scripts
# are not re-run (`npm ci` already built dist/). Undo with `npm unlink -g tsbuild-engine`.
set -euo pipefail
cd "$(dirname "$0")/.."
npm link --ignore-scripts --no-audit --no-fund >/dev/null
bin="$(npm prefix -g)/bin"
found="$(command -v tsbuild || true)"
if [ "$found" != "$bin/tsbuild" ]; then
  if [ -z "$found" ]; then
    echo "tsbuild: linked as $bin/tsbuild, but $bin is not on PATH; add it (export PATH=\"$bin:\$PATH\")" >&2
  else
    echo "tsbuild: linked as $bin/tsbuild, but $found comes first on PATH" >&2
  fi
  exit 1
fi
echo "tsbuild $(tsbuild --version) is on PATH ($found)"
