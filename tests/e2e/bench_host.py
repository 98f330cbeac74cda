#!/usr/bin/env python3
"""What the bench measures of the host (docs/performance.md, method item
11).  bench/corelat: a cache line's round trip between the first two
cores the process may run on, the median of 8 series, with the fastest
and slowest series; "one core" when it may run on only one.
bench/memlat: a load at random from 8 MB and from 256 MB.  Each stops
with status 2 and a message naming an argument it cannot take.
bench/run.py prints both before and after its timings.

    bench_host.py BUILD_DIR
"""
import os
import re
import subprocess
import sys
import tempfile

from e2e_checks import check, finish

build = sys.argv[1]
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
corelat = os.path.join(build, "bench", "corelat")
allowed = sorted(os.sched_getaffinity(0))
said = re.compile(r"cpu(\d+)-cpu(\d+) round trip (\d+) ns \(series from (\d+) to (\d+) ns\)\n")

p = subprocess.run([corelat, "--rounds", "1000"], capture_output=True, text=True, timeout=60)
if len(allowed) >= 2:
    m = said.fullmatch(p.stdout)
    check(p.returncode == 0 and m is not None, "corelat: exit %d, %r %r" % (p.returncode, p.stdout, p.stderr))
    if m:
        a, b, mid, lo, hi = (int(x) for x in m.groups())
        check((a, b) == tuple(allowed[:2]), "corelat measured cpu%d-cpu%d, not the first two allowed %s" % (a, b, allowed[:2]))
        check(0 < lo <= mid <= hi, "corelat: median %d ns outside its series' %d to %d ns" % (mid, lo, hi))
else:
    check(p.returncode == 0 and p.stdout == "one core: no round trip\n", "corelat on one core: %r" % p.stdout)

# Allowed one core only (as taskset -c would): nothing to measure, and no hang.
p = subprocess.run([corelat, "--rounds", "1000"], capture_output=True, text=True, timeout=60,
                   preexec_fn=lambda: os.sched_setaffinity(0, {allowed[0]}))
check(p.returncode == 0 and p.stdout == "one core: no round trip\n" and not p.stderr,
      "corelat on one core: exit %d, %r %r" % (p.returncode, p.stdout, p.stderr))

memlat = os.path.join(build, "bench", "memlat")
p = subprocess.run([memlat, "--loads", "1000"], capture_output=True, text=True, timeout=120)
m = re.fullmatch(r"a load at random: 8 MB (\d+) ns, 256 MB (\d+) ns\n", p.stdout)
check(p.returncode == 0 and m is not None and not p.stderr, "memlat: exit %d, %r %r" % (p.returncode, p.stdout, p.stderr))

# Arguments each cannot take: status 2, a message naming them, nothing measured.
for program, args, err in (
        (corelat, ["--rounds", "0"], "corelat: --rounds takes 1 to 1000000, not 0\n"),
        (corelat, ["--rounds", "1000001"], "corelat: --rounds takes 1 to 1000000, not 1000001\n"),
        (corelat, ["--rounds", "10x"], "corelat: --rounds takes 1 to 1000000, not 10x\n"),
        (corelat, ["--round", "5"], "usage: corelat [--rounds N]\n"),
        (memlat, ["--loads", "0"], "memlat: --loads takes 1 to 100000000, not 0\n"),
        (memlat, ["--loads", "100000001"], "memlat: --loads takes 1 to 100000000, not 100000001\n"),
        (memlat, ["--loads", "x"], "memlat: --loads takes 1 to 100000000, not x\n"),
        (memlat, ["--rounds", "5"], "usage: memlat [--loads N]\n")):
    p = subprocess.run([program, *args], capture_output=True, text=True, timeout=60)
    check(p.returncode == 2 and p.stderr == err and not p.stdout,
          "%s %s: exit %d, %r" % (os.path.basename(program), " ".join(args), p.returncode, p.stderr))

# The bench prints both before and after its timings.
demo = os.path.join(root, "captures", "demo.pcap")
p = subprocess.run([sys.executable, os.path.join(root, "bench", "run.py"), "--build", build, "--runs", "1",
                    "--jobs", "1", "--tshark", "0", "--capture", demo],
                   capture_output=True, text=True, timeout=240)
for what in ("cores: ", "memory: a load at random: "):
    lines = [l for l in p.stdout.splitlines() if l.startswith(what)]
    check(p.returncode == 0 and len(lines) == 2 and lines[0].endswith("(before the timings)")
          and lines[1].endswith("(after the timings)"),
          "run.py: exit %d, %r lines %r, %r" % (p.returncode, what, lines, p.stderr[-500:]))
# And how much of the capture the page cache held after its runs.
held = re.findall(r"\n  in the page cache after the runs: ([0-9.]+) of ([0-9.]+) MB\n", p.stdout)
check(len(held) == 1 and float(held[0][1]) == round(os.path.getsize(demo) / 1e6, 1)
      and 0 <= float(held[0][0]) <= float(held[0][1]), "run.py says how much of the capture stayed cached: %r" % held)

# bench/pagecache.py: a file just written and read is in the page cache
# whole; let go (POSIX_FADV_DONTNEED, written back first), it is not,
# except on a tmpfs, which has nowhere else to keep it.  The file is made
# under TMPDIR (the tests': the build's scratch directory).
sys.path.insert(0, os.path.join(root, "bench"))
import pagecache  # noqa: E402

scratch = tempfile.TemporaryDirectory()
path = os.path.join(scratch.name, "cached.bin")
size = (4 << 20) + 123
with open(path, "wb") as f:
    f.write(os.urandom(size))
    f.flush()
    os.fsync(f.fileno())
with open(path, "rb") as f:
    f.read()
check(pagecache.resident(path) == (size, size), "a file just read is all in the page cache: %r" % (pagecache.resident(path),))
fd = os.open(path, os.O_RDONLY)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
os.close(fd)
kept, whole = pagecache.resident(path)
fstype = ""
with open("/proc/self/mountinfo") as f:
    best = ""
    for line in f:
        fields = line.split()
        point, fs = fields[4], fields[fields.index("-") + 1]
        if (path + "/").startswith(point.rstrip("/") + "/") and len(point) >= len(best):
            best, fstype = point, fs
if fstype != "tmpfs":
    check(whole == size and kept < size // 2, "let go, most of it leaves the page cache (%d of %d bytes stay, on %s)" % (
        kept, size, fstype))
empty = os.path.join(scratch.name, "empty.bin")
open(empty, "wb").close()
check(pagecache.resident(empty) == (0, 0), "an empty file: nothing cached, nothing to cache")
scratch.cleanup()
finish()
