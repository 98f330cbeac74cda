#!/usr/bin/env python3
"""A capture file is read 64 KiB at a time, not 4 KiB (docs/performance.md).

glibc's setvbuf keeps its own 4 KiB buffer when it is given a size without
a buffer, and a read(2) every 4 KiB cost the reading thread as much as the
kernel's copy; this test watches the system calls.  A 3 MB capture from
bench/gen.py (large bodies) is read with -j 1 and -j 2, as pcap and as
pcapng, under strace: every read(2) of the capture asks for 65536 bytes or
more, except the 24-byte sniff of the file's header (through its own 4 KiB
stdio buffer, before the file is read again: pcapng from its start, pcap,
read in place, from its first record); so the file takes at most
size / 64 KiB + 3 reads, and those after the sniff add up to the file (the
pcap file less its header).

    read_size.py WIRELINT
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
wirelint = sys.argv[1]
if not shutil.which("strace"):
    print("SKIP: strace is not installed (scripts/setup.sh --tests installs it)")
    sys.exit(77)
scratch = tempfile.TemporaryDirectory()  # removed at exit, pass or fail
tmp = scratch.name
failures = []

# A 3 MB large mix, as pcap and as pcapng (bench/gen.py --pcapng, the blocks dumpcap writes).
pcap, pcapng = os.path.join(tmp, "large.pcap"), os.path.join(tmp, "large.pcapng")
for path, fmt in ((pcap, []), (pcapng, ["--pcapng"])):
    subprocess.run([sys.executable, os.path.join(root, "bench", "gen.py"), "--mix", "large", "--size", "3", *fmt, path],
                   check=True, stdout=subprocess.DEVNULL)

# LeakSanitizer stops a process it cannot ptrace, and strace holds it: the
# sanitizer build's other tests check for leaks.
env = dict(os.environ)
env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":")
call = re.compile(r"^(\w+)\((.*)\) += (-?\d+)")
for path in (pcap, pcapng):
    size = os.path.getsize(path)
    for jobs in ("1", "2"):
        for old in os.listdir(tmp):
            if old.startswith("strace.log"):
                os.unlink(os.path.join(tmp, old))
        log = os.path.join(tmp, "strace.log")
        # -ff: a file per thread, so that no call is split across lines by another thread's.
        r = subprocess.run(["strace", "-ff", "-qq", "-o", log, "-e", "trace=openat,dup,close,read,pread64",
                            wirelint, "-j", jobs, "-q", "--fail-on", "none", "-o", "/dev/null", path],
                           capture_output=True, env=env)
        what = "%s -j %s" % (os.path.basename(path), jobs)
        if r.returncode != 0:
            if b"ptrace" in r.stderr or b"Operation not permitted" in r.stderr:
                print("SKIP: strace cannot trace here: %s" % r.stderr.decode(errors="replace").strip())
                sys.exit(77)
            failures.append("%s: exit %d: %s" % (what, r.returncode, r.stderr.decode(errors="replace")[-300:]))
            continue
        fds, reads = set(), []
        # The reading thread is the process's first: its file has the lowest
        # number (threads are numbered after it), and no other thread reads the file.
        first = min((n for n in os.listdir(tmp) if n.startswith("strace.log.")), key=lambda n: int(n.split(".")[-1]))
        with open(os.path.join(tmp, first)) as f:
            for line in f:
                m = call.match(line)
                if not m:
                    continue
                name, args, ret = m.group(1), m.group(2), int(m.group(3))
                if name == "openat" and path in args and ret >= 0:
                    fds.add(ret)
                elif name == "dup" and ret >= 0 and int(args) in fds:
                    fds.add(ret)
                elif name == "close":
                    fds.discard(int(args))  # the number may be reused for another file
                elif name in ("read", "pread64") and int(args.split(",")[0]) in fds:
                    ask = int(args.split(",")[-1 if name == "read" else -2].strip())
                    reads.append((ask, ret))
        if not reads:
            failures.append("%s: no read of the capture seen" % what)
            continue
        # The first read is the header's sniff, through the first stream's 4 KiB buffer.
        small = [ask for ask, _ in reads[1:] if ask < 65536]
        if small:
            failures.append("%s: %d reads asked for less than 64 KiB (%s)" % (what, len(small), sorted(set(small))))
        most = size // 65536 + 3
        if len(reads) > most:
            failures.append("%s: %d reads of a %d-byte file, more than %d" % (what, len(reads), size, most))
        # pcapng is read again from its start; a pcap file read in place
        # (analyzer/pcapfile.c) from its first record, after the header the sniff read.
        want = size - 24 if path == pcap else size
        got = sum(ret for _, ret in reads[1:] if ret > 0)
        if got != want:
            failures.append("%s: read %d bytes of %d after the sniff, not %d" % (what, got, size, want))

for f in failures:
    print("FAIL:", f)
if failures:
    sys.exit(1)
print("ok: the capture is read 64 KiB at a time, pcap and pcapng, -j 1 and -j 2")
