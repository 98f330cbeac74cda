#!/usr/bin/env bash
# Runs one libFuzzer target for SECONDS over CORPUS (kept between runs) and SEEDS.
#   run.sh TARGET CORPUS_DIR SEEDS_DIR SECONDS
# A crash or a leak leaves the input in CORPUS_DIR/../artifacts and fails.
set -euo pipefail
target=$1 corpus=$2 seeds=$3 seconds=$4
mkdir -p "$corpus" "$corpus/../artifacts"
exec "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix="$corpus/../artifacts/$(basename "$target")-" "$corpus" "$seeds"
