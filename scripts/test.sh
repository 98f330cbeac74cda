#!/usr/bin/env bash
# Quick start, second command: set up, build, and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --tests
cd "${WIRELINT_BUILD_DIR:-build}"
ctest --output-on-failure -j "$(nproc)" "$@"
