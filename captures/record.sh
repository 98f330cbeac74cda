#!/usr/bin/env bash
# Records captures/NAME.pcap from real traffic on 127.0.0.1 (tcpdump -i lo):
# the scripted servers of scenarios.py answer its client, and NAME.expect
# lists the findings the scenarios were written to produce.
#   sudo captures/record.sh demo clean
# Needs tcpdump and root (or CAP_NET_RAW) to capture on lo.
set -euo pipefail
cd "$(dirname "$0")"
if [ $# -gt 0 ]; then names=("$@"); else names=(demo clean); fi
pids=()
tcpd=""
trap '[ -z "$tcpd" ] || kill "$tcpd" 2>/dev/null; [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null; true' EXIT
for name in "${names[@]}"; do
  ports=$(python3 scenarios.py ports "$name")
  filter=$(printf 'tcp port %s or ' $ports); filter=${filter% or }
  pids=()
  for p in $ports; do
    python3 scenarios.py serve "$name" "$p" > "/tmp/wl-serve-$p.log" &
    pids+=($!)
  done
  for p in $ports; do
    for _ in $(seq 50); do grep -q ready "/tmp/wl-serve-$p.log" && break; sleep 0.1; done
  done
  tcpdump -i lo -s 0 -U -w "$name.pcap" "$filter" 2>/dev/null &
  tcpd=$!
  sleep 1
  python3 scenarios.py client "$name"
  sleep 1
  kill "$tcpd"; wait "$tcpd" 2>/dev/null || true
  tcpd=""
  kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true
  pids=()
  python3 scenarios.py expect "$name" > "$name.expect"
  echo "recorded $name.pcap ($(stat -c %s "$name.pcap") bytes), $(wc -l < "$name.expect") expected findings"
done
