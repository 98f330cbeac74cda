#!/usr/bin/env python3
"""Runs wirelint on one capture and compares its findings with the .expect file.

Each line of the .expect file is "METHOD URI STATUS RULE", in output order.
The .expect files are written by captures/scenarios.py from the table the
traffic was recorded from, not from wirelint's output.
"""
import json
import subprocess
import sys

wirelint, capture, expect = sys.argv[1:4]
p = subprocess.run([wirelint, "--format", "jsonl", "--fail-on", "none", capture],
                   capture_output=True, timeout=60)
if p.returncode != 0:
    sys.exit("wirelint exited %d: %s" % (p.returncode, p.stderr.decode(errors="replace")))
got = []
summary = None
for line in p.stdout.decode().splitlines():
    o = json.loads(line)
    if o["type"] == "finding":
        got.append("%s %s %s %s" % (o["method"], o["uri"], o["status"], o["rule"]))
    elif o["type"] == "summary":
        summary = o
want = [l for l in open(expect).read().splitlines() if l.strip()]
if got != want:
    print("findings differ from %s" % expect)
    print("--- expected\n" + "\n".join(want))
    print("--- got\n" + "\n".join(got))
    sys.exit(1)
# Nothing may be lost silently: every request of the recorded scenarios was answered.
if summary is None or summary["requests_unanswered"] or summary["responses_unpaired"] or summary["gaps"]:
    sys.exit("unexpected loss in summary: %s" % summary)
print("%s: %d findings as expected" % (capture, len(got)))
