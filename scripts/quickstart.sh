#!/usr/bin/env bash
# The README's quick start: installs everything tsbuild and its test suite need on a fresh
# Debian machine (as root), builds tsbuild, puts the `tsbuild` command on PATH (npm link), then
# builds the example web server image in example/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
npm ci --no-audit --no-fund
bash scripts/link-cli.sh
bash scripts/example.sh
