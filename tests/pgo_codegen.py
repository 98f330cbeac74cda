#!/usr/bin/env python3
"""What the profile-guided build's code does with copies and library calls (cmake/pgo.cmake).

1. No copy is a string instruction: each calls glibc.  With a profile, GCC
   wrote a memcpy or memset whose size the profile saw most often out
   inline, as `rep movsq` or `rep stosq`, which was slower than glibc's
   copy chosen for the processor at run time (15% of the large mix's time,
   in reasm_segment; docs/performance.md, "Copies left to glibc").
   -mstringop-strategy=libcall keeps them calls.
2. No call of wirelint's own goes through the PLT: -fno-plt calls shared
   libraries' functions through the GOT, a jump less a call (memcpy,
   memchr... millions of times; "Library calls without the PLT").  Only
   the C runtime's own start-up and exit code (crtbegin, compiled apart)
   may call through it.

Each failure names the functions.  Skipped (77) when the build is not
profile-guided or the compiler lacks the options (not x86, not GCC).

    pgo_codegen.py WIRELINT PGO OPTIONS_SUPPORTED
"""
import re
import sys

from disasm import disassemble

binary, pgo, supported = sys.argv[1], sys.argv[2], sys.argv[3]
on = ("ON", "1", "TRUE", "YES")
if pgo.upper() not in on or supported.upper() not in on:
    print("not a profile-guided build with -mstringop-strategy=libcall and -fno-plt")
    sys.exit(77)
dis = disassemble(binary)
CRT = {"__do_global_dtors_aux", "deregister_tm_clones", "register_tm_clones", "frame_dummy", "_start", "_init",
       "_fini"}
strings, plt, fn = {}, {}, "?"
for line in dis.splitlines():
    m = re.match(r"^[0-9a-f]+ <(.+)>:$", line)
    if m:
        fn = m.group(1)
    elif re.search(r"\srep[a-z]*\s+(movs|stos)", line):
        strings[fn] = strings.get(fn, 0) + 1
    elif re.search(r"\s(call|jmp)q?\s+[0-9a-f]+ <[^>]+@plt>", line) and fn not in CRT and not fn.endswith("@plt"):
        plt[fn] = plt.get(fn, 0) + 1
failures = []
if strings:
    failures.append("string instructions in %s: %s" % (binary, ", ".join("%s (%d)" % kv for kv in sorted(strings.items()))))
if plt:
    failures.append("calls through the PLT in %s: %s" % (binary, ", ".join("%s (%d)" % kv for kv in sorted(plt.items())[:40])))
for f in failures:
    print("FAIL:", f)
if failures:
    sys.exit(1)
print("ok: no rep movs or rep stos, no call through the PLT but the C runtime's, in %s" % binary)
