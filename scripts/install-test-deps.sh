#!/usr/bin/env bash
# Installs the system packages the test suite relies on, when missing and when we can (root + apt).
# smem: independent USS reference; gdb: Python injection; python3-psutil: bench peer.
set -uo pipefail
need=()
command -v smem >/dev/null 2>&1 || need+=(smem)
command -v gdb >/dev/null 2>&1 || need+=(gdb)
/usr/bin/python3 -c 'import psutil' >/dev/null 2>&1 || need+=(python3-psutil)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-deps: missing ${need[*]}; install them (apt-get install ${need[*]}) or the tests that need them skip" >&2
  exit 0
fi
echo "install-test-deps: apt-get install ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || true
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
  || echo "install-test-deps: apt-get install ${need[*]} failed; tests that need them skip" >&2
exit 0
