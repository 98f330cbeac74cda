#!/usr/bin/env python3
"""The heap in transparent huge pages, and --no-huge-pages.

wirelint reading a pipe that stays open waits in read(2) once it is set
up; its mappings are read then from /proc.  At -j 1 the heap ([heap])
has a range advised for huge pages (VmFlags "hg"), where the kernel
offers them (transparent_hugepage not "never") and the allocator is
glibc's (not a sanitizer's, whose runtime is then mapped or linked in); with
--no-huge-pages, and at -j 2, no mapping has it.  The findings are the
same with and without, at -j 1 and -j 2.

    huge_pages.py WIRELINT
"""
import re
import subprocess
import sys
import time

from e2e_checks import check, finish

wirelint = sys.argv[1]
demo = "captures/demo.pcap"


def offered():
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            return "[never]" not in f.read()
    except OSError:
        return False


def mappings(args):
    """(mappings advised for huge pages, whether a sanitizer's runtime is in it) of wirelint waiting on a pipe."""
    p = subprocess.Popen([wirelint, *args, "-q", "-"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        waiting = False
        for _ in range(200):  # up to 10 s for it to reach its first read of the pipe
            try:
                with open("/proc/%d/wchan" % p.pid) as f:
                    waiting = "pipe" in f.read()
            except OSError:
                break
            if waiting:
                break
            time.sleep(0.05)
        check(waiting, "wirelint %s waits on the pipe" % " ".join(args))
        hg, current = [], None
        with open("/proc/%d/smaps" % p.pid) as f:
            for line in f:
                if re.match(r"[0-9a-f]+-[0-9a-f]+ ", line):
                    current = line.split()
                elif line.startswith("VmFlags:") and " hg" in line and current:
                    hg.append(current[-1] if len(current) > 5 else "(anonymous)")
        # A sanitizer's runtime: a library mapped (GCC's), or linked in (clang's).
        with open("/proc/%d/maps" % p.pid) as f:
            sanitized = any(x in f.read() for x in ("libasan", "libtsan"))
        with open(wirelint, "rb") as f:
            body = f.read()
        sanitized = sanitized or b"AddressSanitizer" in body or b"ThreadSanitizer" in body
    finally:
        p.stdin.close()
        p.wait(timeout=30)
    return hg, sanitized


hg, sanitized = mappings(["-j", "1"])
if offered() and not sanitized:
    check("[heap]" in hg, "-j 1: the heap has a range advised for huge pages: %r" % hg)
hg, _ = mappings(["-j", "1", "--no-huge-pages"])
check(hg == [], "-j 1 --no-huge-pages: no mapping advised for huge pages: %r" % hg)
hg, _ = mappings(["-j", "2"])
check(hg == [], "-j 2: no mapping advised for huge pages: %r" % hg)

for j in ("1", "2"):
    a = subprocess.run([wirelint, "-F", "jsonl", "-j", j, demo], capture_output=True, timeout=60)
    b = subprocess.run([wirelint, "-F", "jsonl", "-j", j, "--no-huge-pages", demo], capture_output=True, timeout=60)
    check(a.returncode == b.returncode == 1 and a.stdout == b.stdout and a.stdout,
          "-j %s: the same findings with and without --no-huge-pages (exit %d, %d)" % (j, a.returncode, b.returncode))
finish()
