#!/usr/bin/env bash
# The README's quick start: installs everything tsbuild and its test suite need on a fresh
# Debian machine (as root), builds tsbuild, then runs the example in fixtures/hello.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
npm ci --no-audit --no-fund
bash scripts/example.sh
