#!/usr/bin/env bash
# Quick start, second command: set up, build, and run the whole test suite:
#   1. the suite on the release build (gcc);
#   2. the tests that exercise worker threads (-j) on a clang build with
#      ThreadSanitizer;
#   3. the whole suite again on a clang build with AddressSanitizer and
#      UndefinedBehaviorSanitizer, plus each libFuzzer target for
#      WIRELINT_FUZZ_SECONDS (default 60) seeded from captures/.
# Extra arguments go to every ctest run (for example -L unit).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bash scripts/setup.sh --tests
jobs=$(nproc)
(cd "${WIRELINT_BUILD_DIR:-build}" && ctest --output-on-failure -j "$jobs" "$@")

tsan=${WIRELINT_TSAN_BUILD_DIR:-build-tsan}
cd "$root"
CC=clang cmake -S . -B "$tsan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWIRELINT_TSAN=ON >/dev/null
cmake --build "$tsan" -j "$jobs" --target wirelint >/dev/null
cd "$tsan"
TSAN_OPTIONS="halt_on_error=1 exitcode=66 suppressions=$root/tests/sanitize/tsan.supp" \
  ctest --output-on-failure -j "$jobs" -R '^(e2e\.jobs_identical|e2e\.output_pacing|live\.loopback|e2e\.traffic_stats|case\.)' "$@"

cd "$root"
san=${WIRELINT_SAN_BUILD_DIR:-build-sanitize}
CC=clang cmake -S . -B "$san" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWIRELINT_SANITIZE=ON -DWIRELINT_FUZZ=ON \
  -DWIRELINT_FUZZ_SECONDS="${WIRELINT_FUZZ_SECONDS:-60}" >/dev/null
cmake --build "$san" -j "$jobs" >/dev/null
cd "$san"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j "$jobs" "$@"
