#!/usr/bin/env python3
"""Every out-of-line function that only asks for memory ahead is called.

A function whose body only reads memory and prefetches looks pure to an
optimiser; with its result unused, link-time optimisation may drop every
call to it, and the prefetches with them, silently.  GCC did that to
hist_prefetch in the profile-guided build (docs/performance.md).  So: in
the wirelint binary, each function named below is present out of line and
some instruction calls or jumps to it.

    prefetch_calls.py WIRELINT
"""
import re
import sys

from disasm import disassemble

FUNCTIONS = ["hist_prefetch", "conn_prefetch", "flow_prefetch"]

binary = sys.argv[1]
dis = disassemble(binary)
failures = []
for fn in FUNCTIONS:
    if not re.search(r"^[0-9a-f]+ <%s>:$" % re.escape(fn), dis, re.M):
        failures.append("%s: not in %s out of line" % (fn, binary))
        continue
    calls = re.findall(r"\s(?:call|jmp)q?\s+[0-9a-f]+ <%s>" % re.escape(fn), dis)
    if not calls:
        failures.append("%s: in %s, but nothing calls it (its calls were optimised away)" % (fn, binary))
    else:
        print("%s: called from %d places" % (fn, len(calls)))
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
