#!/usr/bin/env python3
"""Generates the rules table of docs/rules/README.md from wirelint's rule table.

    rules_index.py WIRELINT OUT.md            write the table alone to OUT.md (the build does)
    rules_index.py WIRELINT --check README    fail if README's table differs from it
    rules_index.py WIRELINT --update README   rewrite README's table in place

The table stands between <!-- rules-index --> and <!-- /rules-index -->.
"""
import json
import subprocess
import sys

BEGIN, END = "<!-- rules-index -->", "<!-- /rules-index -->"


def table(wirelint):
    out = subprocess.run([wirelint, "--list-rules", "--format", "jsonl"], capture_output=True, check=True,
                         timeout=60).stdout.decode()
    rows = ["| id | severity | request | what it checks | reference |", "| --- | --- | --- | --- | --- |"]
    for line in out.splitlines():
        r = json.loads(line)
        rows.append("| [%s](%s.md) | %s | %s | %s | %s |" % (
            r["id"], r["id"], r["severity"], "yes" if r["needs_request"] else "no",
            r["summary"].replace("|", "\\|"), r["reference"].replace("|", "\\|")))
    return "\n".join(rows) + "\n"


def main():
    wirelint, arg = sys.argv[1], sys.argv[2]
    t = table(wirelint)
    if arg not in ("--check", "--update"):
        open(arg, "w").write(t)
        return 0
    path = sys.argv[3]
    text = open(path).read()
    if BEGIN not in text or END not in text:
        print("%s has no %s ... %s markers" % (path, BEGIN, END))
        return 1
    head, rest = text.split(BEGIN, 1)
    current, tail = rest.split(END, 1)
    if arg == "--update":
        open(path, "w").write(head + BEGIN + "\n" + t + END + tail)
        return 0
    current = "\n".join(l for l in current.splitlines() if l.startswith("|"))
    if current.strip() != t.strip():
        print("%s's rules table differs from the rule table; run: python3 scripts/rules_index.py build/wirelint --update %s"
              % (path, path))
        return 1
    print("rules table in step (%d rules)" % (len(t.splitlines()) - 2))
    return 0


sys.exit(main())
