#!/usr/bin/env python3
"""The output lines quoted on the rule pages are what wirelint prints.

A page quotes a finding in a ```text block and names the case it comes from
with "(From `tests/cases/NAME.case`".  This builds each named case's
capture as case.pcap, runs wirelint on it with the case's #!args, and checks
that every quoted line of the page is a line of that output.

    docs_examples.py WIRELINT [--fix]   (--fix rewrites a quoted line whose
                                         transaction and rule match one line
                                         of the output but whose frame or
                                         time moved)
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "cases"))
import mkpcap  # noqa: E402

wirelint = os.path.abspath(sys.argv[1])
fix = "--fix" in sys.argv[2:]
root = os.path.dirname(here)
scratch = tempfile.TemporaryDirectory()  # removed at exit, pass or fail
tmp = scratch.name
outputs = {}


def output_of(case):
    if case not in outputs:
        path = os.path.join(root, "tests", "cases", case + ".case")
        d = os.path.join(tmp, case)
        os.makedirs(d)
        args = mkpcap.from_case(path, os.path.join(d, "case.pcap"))
        p = subprocess.run([wirelint, "--fail-on", "none", *args, "case.pcap"], cwd=d, capture_output=True,
                           timeout=60)
        outputs[case] = p.stdout.decode(errors="replace").splitlines()
    return outputs[case]


# A finding line: the frame and time move when a case grows; what it is about does not.
FINDING = re.compile(r"^case\.pcap:\d+: \S+ (.*)$")

problems, checked, fixed = [], 0, 0
for page in sorted(glob.glob(os.path.join(root, "docs", "rules", "*.md"))):
    text = open(page).read()
    cases = re.findall(r"From `tests/cases/([a-z0-9-]+)\.case`", text)
    if not cases:
        continue
    lines = [l for block in re.findall(r"```text\n(.*?)```", text, re.S) for l in block.splitlines()
             if l.startswith("case.pcap:")]
    out = [l for c in dict.fromkeys(cases) for l in output_of(c)]
    new = text
    for line in lines:
        checked += 1
        if line in out:
            continue
        m = FINDING.match(line)
        same = [o for o in out if m and FINDING.match(o) and FINDING.match(o).group(1) == m.group(1)]
        if fix and len(same) == 1:
            new = new.replace(line, same[0])
            fixed += 1
        else:
            problems.append("%s: quoted line not in wirelint's output for %s:\n  %s"
                            % (os.path.relpath(page, root), ", ".join(dict.fromkeys(cases)), line))
    if new != text:
        open(page, "w").write(new)
if problems:
    print("\n".join(problems))
    sys.exit(1)
print("%d quoted output lines checked%s" % (checked, ", %d fixed" % fixed if fixed else ""))
