#!/usr/bin/env bash
# Quick start, first command: set up, build, and lint the bundled demo capture.
# The demo holds deliberate violations, so wirelint exits 1 (findings at error level).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec ./build/wirelint captures/demo.pcap "$@"
