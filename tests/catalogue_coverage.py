#!/usr/bin/env python3
"""Every id of the rule catalogue is a wirelint rule or has a row in docs/catalogue-coverage.md.

    catalogue_coverage.py WIRELINT CATALOGUE   (skipped, exit 77, when the catalogue is absent)
"""
import json
import os
import re
import subprocess
import sys

wirelint, catalogue = sys.argv[1], sys.argv[2]
if not os.path.exists(catalogue):
    print("skipped: no %s" % catalogue)
    sys.exit(77)
ids = set()
for line in open(catalogue):
    m = re.search(r"\| ([a-z0-9][a-z0-9-]+) \| (no|yes[^|]*) \|", line)
    if m:
        ids.add(m.group(1))
out = subprocess.run([wirelint, "--list-rules", "--format", "jsonl"], capture_output=True, check=True,
                     timeout=60).stdout.decode()
rules = {json.loads(l)["id"] for l in out.splitlines()}
rows = {}
for line in open("docs/catalogue-coverage.md"):
    m = re.match(r"\| `([a-z0-9-]+)` \| (.*?) \|", line)
    if m:
        rows[m.group(1)] = re.findall(r"`([a-z0-9-]+)`", m.group(2))
problems = []
for i in sorted(ids):
    if i not in rules and i not in rows:
        problems.append("catalogue id %s is no rule and has no row in docs/catalogue-coverage.md" % i)
for i, named in sorted(rows.items()):
    if i not in ids:
        problems.append("docs/catalogue-coverage.md: %s is not a catalogue id" % i)
    if i in rules:
        problems.append("docs/catalogue-coverage.md: %s is a rule already; its row is not needed" % i)
    for r in named:
        if r not in rules:
            problems.append("docs/catalogue-coverage.md: %s names %s, which is no rule" % (i, r))
same = len(ids & rules)
print("%d catalogue ids: %d rules of the same id, %d under another, %d not judged"
      % (len(ids), same, sum(1 for i in rows if rows[i]), sum(1 for i in rows if not rows[i])))
if problems:
    print("\n".join(problems))
    sys.exit(1)
