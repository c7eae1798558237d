#!/usr/bin/env bash
# Runs the quick-start example: parses fixtures/hello/Dockerfile with the freshly built CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
node dist/cli/main.js parse fixtures/hello/Dockerfile
