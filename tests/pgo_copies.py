#!/usr/bin/env python3
"""No copy in the profile-guided build is a string instruction: each calls glibc (cmake/pgo.cmake).

With a profile, GCC writes a memcpy or memset whose size the profile saw
most often out inline, as `rep movsq` or `rep stosq`, which was slower
than glibc's copy chosen for the processor at run time (15% of the large
mix's time, in reasm_segment; docs/performance.md, "Copies left to
glibc").  -mstringop-strategy=libcall keeps them calls.  So: the wirelint
binary has no `rep movs` or `rep stos` instruction, and names each function
that has one.  Skipped (77) when the build is not profile-guided or the
compiler lacks the option (not x86, not GCC).

    pgo_copies.py WIRELINT PGO LIBCALL_SUPPORTED
"""
import re
import shutil
import subprocess
import sys

binary, pgo, libcall = sys.argv[1], sys.argv[2], sys.argv[3]
on = ("ON", "1", "TRUE", "YES")
if pgo.upper() not in on or libcall.upper() not in on:
    print("not a profile-guided build with -mstringop-strategy=libcall")
    sys.exit(77)
objdump = shutil.which("objdump")
if not objdump:
    print("FAIL: objdump not found (binutils)")
    sys.exit(1)
dis = subprocess.run([objdump, "-d", "--no-show-raw-insn", binary], check=True,
                     stdout=subprocess.PIPE, universal_newlines=True).stdout
where, fn = {}, "?"
for line in dis.splitlines():
    m = re.match(r"^[0-9a-f]+ <(.+)>:$", line)
    if m:
        fn = m.group(1)
    elif re.search(r"\srep[a-z]*\s+(movs|stos)", line):
        where[fn] = where.get(fn, 0) + 1
if where:
    print("FAIL: string instructions in %s: %s" % (binary, ", ".join("%s (%d)" % kv for kv in sorted(where.items()))))
    sys.exit(1)
print("ok: no rep movs or rep stos in %s" % binary)
