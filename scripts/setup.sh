#!/usr/bin/env bash
# Installs what wirelint needs from Debian 12 packages, then configures and
# builds it in build/.  Safe to run again: it installs only what is missing.
#   scripts/setup.sh            set up and build wirelint
#   scripts/setup.sh --tests    also what the test suite needs (cmocka, tshark,
#                               strace, clang with its sanitizer and libFuzzer runtimes,
#                               Chromium for the HTML report, and Microsoft's SARIF
#                               Multitool from npm)
#   WIRELINT_BUILD_DIR=dir      build somewhere else
set -euo pipefail
cd "$(dirname "$0")/.."

tests=OFF
pkgs=(libpcap-dev node-llhttp uthash-dev libyaml-dev libssl-dev libjansson-dev zlib1g-dev pkg-config time)
if [ "${1:-}" = "--tests" ]; then
  tests=ON
  pkgs+=(libcmocka-dev tshark clang libclang-rt-14-dev curl chromium strace)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo=sudo
  fi
  echo "setup: installing ${missing[*]}" >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# The SARIF validator the tests run (Microsoft's SARIF Multitool, from npm).
if [ "$tests" = ON ] && [ ! -x tests/tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool ]; then
  echo "setup: installing the SARIF Multitool (npm)" >&2
  (cd tests/tools && npm ci --no-audit --no-fund --loglevel=error >&2)
  chmod u+x tests/tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
fi

build=${WIRELINT_BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWIRELINT_TESTS=$tests ${WIRELINT_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j "$(nproc)" >/dev/null
