#!/usr/bin/env bash
# Quick start, second command: set up, build, and run the whole test suite:
#   1. the suite on the release build (gcc);
#   2. the same suite again on a clang build with AddressSanitizer and
#      UndefinedBehaviorSanitizer, plus each libFuzzer target for
#      WIRELINT_FUZZ_SECONDS (default 60) seeded from captures/.
# Extra arguments go to both ctest runs (for example -L unit).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --tests
jobs=$(nproc)
(cd "${WIRELINT_BUILD_DIR:-build}" && ctest --output-on-failure -j "$jobs" "$@")

san=${WIRELINT_SAN_BUILD_DIR:-build-sanitize}
CC=clang cmake -S . -B "$san" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWIRELINT_SANITIZE=ON -DWIRELINT_FUZZ=ON \
  -DWIRELINT_FUZZ_SECONDS="${WIRELINT_FUZZ_SECONDS:-60}" >/dev/null
cmake --build "$san" -j "$jobs" >/dev/null
cd "$san"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j "$jobs" "$@"
