#!/usr/bin/env bash
# npm run test:buildkit — BuildKit's Dockerfile integration tests ported to test/buildkit/cases,
# built with tsbuild (upstream's assertions) and with a private dockerd 20.10 (the comparison).
# Installs what it needs (docker.io, busybox-static, skopeo, docker-registry) when missing, runs
# jest in its own process group, and on any exit kills what the run started: dockerd and its
# containerd by their pid files, the registry with jest's process group; then unmounts and
# removes the run's scratch dir. Extra arguments go to jest (e.g. -t testCopyChown).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
if ! dpkg-query -W -f='${Status}' docker.io 2>/dev/null | grep -q "install ok installed"; then
  if [ "$(id -u)" != 0 ]; then
    echo "test:buildkit: docker.io is missing; run as root to install it" >&2
    exit 1
  fi
  echo "test:buildkit: installing docker.io" >&2
  export DEBIAN_FRONTEND=noninteractive
  # The package's postinst starts the system dockerd (and fails where there is no init): a
  # policy-rc.d that denies starts keeps it from doing so; the suite runs its own daemon.
  policy_added=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    policy_added=1
  fi
  apt-get update -qq
  install_rc=0
  apt-get install -y -qq -o DPkg::Lock::Timeout=600 docker.io >/dev/null || install_rc=$?
  [ -n "$policy_added" ] && rm -f /usr/sbin/policy-rc.d
  [ "$install_rc" = 0 ] || { echo "test:buildkit: installing docker.io failed ($install_rc)" >&2; exit 1; }
fi

state="$(mktemp -d "${TMPDIR:-/tmp}/tsbuild-buildkit-XXXXXX")"
export TSBUILD_BK_STATE="$state"
# Everything the run makes in a temp dir (the registry's storage too) lands under $state.
mkdir -p "$state/tmp"
jest_pid=""

kill_pidfile() {
  local f="$1" pid
  [ -f "$f" ] || return 0
  pid="$(cat "$f" 2>/dev/null || true)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  set +e # every step runs, whatever the one before did
  if [ -n "$jest_pid" ] && kill -0 "$jest_pid" 2>/dev/null; then
    kill -TERM -- "-$jest_pid" 2>/dev/null || true
    sleep 1
    kill -KILL -- "-$jest_pid" 2>/dev/null || true
  fi
  kill_pidfile "$state/dockerd/dockerd.pid"
  kill_pidfile "$state/dockerd/exec/containerd/containerd.pid"
  findmnt -rn -o TARGET | grep -F "$state/" | sort -r | while read -r m; do umount -l "$m"; done
  if [ "${TSBUILD_BK_KEEP:-}" = 1 ]; then
    echo "test:buildkit: kept $state" >&2
  else
    rm -rf "$state"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

started=$(date +%s)
set +e
TMPDIR="$state/tmp" setsid npx jest -c jest.buildkit.config.js "$@" &
jest_pid=$!
wait "$jest_pid"
rc=$?
set -e
echo "test:buildkit: $(( $(date +%s) - started )) s" >&2
exit "$rc"
