#!/usr/bin/env bash
# Installs the system packages the test suite relies on, when missing (root + apt); exits 1 when one is missing after it.
# `npm test` runs it first (pretest): a no-op in well under a second when everything is there.
# A test that skips verifies nothing, so everything the suite uses is installed here; only what this
# machine can never have (a GPU) is left to a stand-in.
#   smem: independent USS reference            gdb: Python injection
#   python3-psutil: bench peer                 python3-torch (1.13) + numpy: real-tensor census tests
#   prometheus (ships promtool): fleet tests   chromium: the HTML report in a real browser
#   victoria-metrics: the fleet read-back against a real long-term store (bulk export, promscrape)
#   python3-venv: the torch 2.x venv below      pyenv 3.11.7/3.12.1/3.13.0: census on each CPython
set -uo pipefail
cd "$(dirname "$0")/.."
failed=0
need=()
command -v smem >/dev/null 2>&1 || need+=(smem)
command -v gdb >/dev/null 2>&1 || need+=(gdb)
{ command -v prometheus && command -v promtool; } >/dev/null 2>&1 || need+=(prometheus)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v victoria-metrics >/dev/null 2>&1 || need+=(victoria-metrics)
# The growth budget's tests: --native-sites attaches bpftrace; the Node addon fixture is built with cc against Node's headers.
command -v bpftrace >/dev/null 2>&1 || need+=(bpftrace)
command -v cc >/dev/null 2>&1 || need+=(gcc)
# find_spec, not import: importing torch takes seconds on a busy box, and `npm test` runs this every time.
has_module() { /usr/bin/python3 -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('$1') is None)" >/dev/null 2>&1; }
has_module psutil || need+=(python3-psutil)
has_module torch || need+=(python3-torch)
has_module numpy || need+=(python3-numpy)
{ has_module ensurepip && has_module venv; } || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    # One line, then stop before the first test: what is missing and how to install it.
    echo "install-test-deps: missing ${need[*]}; install them as root (sudo apt-get install ${need[*]}, or sudo bash scripts/install-test-deps.sh), then run npm test again" >&2
    exit 1
  else
    echo "install-test-deps: apt-get install ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null 2>&1 || true
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
      || { echo "install-test-deps: apt-get install ${need[*]} failed" >&2; failed=1; }
  fi
fi
# torch 2.x beside Debian's 1.13: a venv that sees Debian's packages (numpy) with the CPU wheel from the
# machine's pip find-links, installed without dependencies (nothing else is reachable).
venv=.cache/torch2-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('torch') is None)" >/dev/null 2>&1; then
  wheel=$(ls "${PIP_FIND_LINKS:-/opt/wheels}"/torch-2*-cp311-*.whl 2>/dev/null | head -1)
  if [ -n "$wheel" ]; then
    echo "install-test-deps: torch 2.x venv in $venv from $(basename "$wheel")" >&2
    rm -rf "$venv" && /usr/bin/python3 -m venv --system-site-packages "$venv" \
      && "$venv/bin/python" -m pip install -q --no-deps "$wheel" >/dev/null 2>&1 \
      && "$venv/bin/python" -m pip install -q --ignore-installed 'typing-extensions>=4.10' 'sympy>=1.13.3' >/dev/null 2>&1 \
      && "$venv/bin/python" -c 'import torch' >/dev/null 2>&1 \
      || { echo "install-test-deps: could not build the torch 2.x venv in $venv" >&2; failed=1; }
  else
    echo "install-test-deps: no torch 2.x wheel in ${PIP_FIND_LINKS:-/opt/wheels}; the torch 2.x tests will fail" >&2
    failed=1
  fi
fi
# CPython 3.11, 3.12 and 3.13 from pyenv: the census and holder tests run a real target under each
# (test/helpers/census-modules.ts names them). Installed with pyenv where it is missing and pyenv is.
for v in 3.11.7 3.12.1 3.13.0; do
  py="${PYENV_ROOT:-/root/.pyenv}/versions/$v/bin/python3"
  if [ ! -x "$py" ]; then
    if command -v pyenv >/dev/null 2>&1; then
      echo "install-test-deps: pyenv install $v (the census tests run a target under it)" >&2
      pyenv install -s "$v" >/dev/null 2>&1 || true
    fi
    if [ ! -x "$py" ] || ! "$py" -c 'import sys' >/dev/null 2>&1; then
      echo "install-test-deps: no Python $v at $py; install it (pyenv install $v) before npm test" >&2
      failed=1
    fi
  fi
done
# Fail loudly: a test suite run without what it needs verifies nothing (.ci/run stops here).
exit $failed
