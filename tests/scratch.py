#!/usr/bin/env python3
"""The tests' scratch directory (TMPDIR for every test run by ctest).

    scratch.py setup DIR   empties DIR, or makes it
    scratch.py check DIR   fails, naming each entry, if any test left one in
                           DIR; removes them either way

Every test removes what it writes; this is how a leak is caught (left
unchecked, one test's 300 MB per run once filled a CI machine's disk).
"""
import os
import shutil
import sys

if len(sys.argv) != 3 or sys.argv[1] not in ("setup", "check"):
    sys.exit(__doc__)
mode, scratch = sys.argv[1], sys.argv[2]


def empty(d):
    for name in os.listdir(d) if os.path.isdir(d) else []:
        path = os.path.join(d, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)


if mode == "setup":
    os.makedirs(scratch, exist_ok=True)
    empty(scratch)
    sys.exit(0)

left = []
for top, dirs, files in os.walk(scratch):
    for name in files + [d for d in dirs if not os.listdir(os.path.join(top, d))]:
        path = os.path.join(top, name)
        left.append("%s (%d bytes)" % (os.path.relpath(path, scratch),
                                       os.path.getsize(path) if os.path.isfile(path) else 0))
empty(scratch)
if left:
    print("tests left %d scratch entries in %s:" % (len(left), scratch))
    print("\n".join("  " + l for l in sorted(left)[:50]))
    sys.exit(1)
print("no test left scratch files in", scratch)
