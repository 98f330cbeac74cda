#!/usr/bin/env python3
"""Every rule wirelint knows has a page in docs/rules/, and every page a rule."""
import json
import os
import re
import subprocess
import sys

out = subprocess.run([sys.argv[1], "--list-rules", "--format", "jsonl"], capture_output=True, check=True,
                     timeout=60).stdout.decode()
rules, enabled = {}, {}
for line in out.splitlines():
    r = json.loads(line)
    rules[r["id"]] = r["severity"]
    enabled[r["id"]] = r["enabled"]
pages = {f[:-3] for f in os.listdir("docs/rules") if f.endswith(".md") and f != "README.md"}
problems = []
for r in sorted(set(rules) - pages):
    problems.append("rule %s has no docs/rules/%s.md" % (r, r))
for p in sorted(pages - set(rules)):
    problems.append("docs/rules/%s.md names no rule" % p)
for r in sorted(set(rules) & pages):
    text = open("docs/rules/%s.md" % r).read()
    front = re.match(r"---\n(.*?)\n---\n", text, re.S)
    if not front:
        problems.append("docs/rules/%s.md has no front matter" % r)
        continue
    meta = dict(l.split(":", 1) for l in front.group(1).splitlines() if ":" in l)
    if meta.get("id", "").strip() != r:
        problems.append("docs/rules/%s.md: id is %r" % (r, meta.get("id")))
    if meta.get("severity", "").strip() != rules[r]:
        problems.append("docs/rules/%s.md: severity %r, wirelint says %r" % (r, meta.get("severity"), rules[r]))
    # An opt-in rule says so in its front matter (enabled: false).
    if (meta.get("enabled", "true").strip() == "true") != enabled[r]:
        problems.append("docs/rules/%s.md: enabled %r, wirelint says %r" % (r, meta.get("enabled", "true").strip(),
                                                                            enabled[r]))
    for section in ("## Example that breaks it", "## Example that passes"):
        if section not in text:
            problems.append("docs/rules/%s.md lacks %r" % (r, section))
index = open("docs/rules/README.md").read()
for r in rules:
    if "(%s.md)" % r not in index:
        problems.append("docs/rules/README.md does not link %s" % r)
if problems:
    print("\n".join(problems))
    sys.exit(1)
print("%d rules, %d pages, in step" % (len(rules), len(pages)))
