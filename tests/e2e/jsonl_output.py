#!/usr/bin/env python3
"""The jsonl format: every line parses, has the documented fields, and ends with one summary."""
import json
import subprocess
import sys

wirelint = sys.argv[1]
p = subprocess.run([wirelint, "--format", "jsonl", "captures/demo.pcap"], capture_output=True, timeout=60)
assert p.returncode == 1, p.returncode
lines = p.stdout.decode("utf-8").splitlines()
objs = [json.loads(l) for l in lines]
TXN = {"type", "ts", "client", "server", "method", "uri", "host", "status", "reason", "findings"}
FINDING = {"type", "rule", "severity", "message", "ts", "client", "server", "method", "uri", "status"}
txns = [o for o in objs if o["type"] == "transaction"]
finds = [o for o in objs if o["type"] == "finding"]
assert objs[-1]["type"] == "summary", objs[-1]
assert sum(1 for o in objs if o["type"] == "summary") == 1
for t in txns:
    missing = TXN - t.keys()
    assert not missing, (missing, t)
for f in finds:
    missing = FINDING - f.keys()
    assert not missing, (missing, f)
    assert f["severity"] in ("error", "warning", "info"), f
# Each finding follows its transaction and is listed in it.
last = None
for o in objs:
    if o["type"] == "transaction":
        last = o
    elif o["type"] == "finding":
        assert last and o["rule"] in last["findings"] and o["uri"] == last["uri"], (o, last)
# Order: by connection start, then within the connection.
order = [(t["conn"], t["index"]) for t in txns]
assert order == sorted(order), order
s = objs[-1]
assert s["transactions"] == len(txns), (s["transactions"], len(txns))
assert s["findings"] == len(finds)
assert sum(s["by_rule"].values()) == len(finds)
print("jsonl: %d transactions, %d findings, summary consistent" % (len(txns), len(finds)))
