#!/usr/bin/env python3
"""The benchmark: wirelint against the floor (libpcap reading the capture and nothing else), in one run.

    bench/run.py [--quick] [--small MB] [--large MB] [--mixes small,large] [--runs N] [--jobs 1,N] [--flat]
                 [--tshark MB]

Builds nothing: run scripts/setup.sh first (the floor is built with
wirelint, build/bench/floor).  Generates the captures with bench/gen.py into
bench/out/ (kept for the next run), reads each once to warm the page cache,
then times the floor (and the floor over 64 KiB reads, "floor64", as
wirelint reads) and wirelint alternately, --runs times each, and
reports the median: CPU time (user + system), wall time, MB/s, packets/s,
transactions/s, peak memory (maximum resident set), the ratios of
wirelint's CPU time and wall time to the floor's, and the speed-up of each
-j over -j 1 in wall time (--jobs: the -j values to time, by default 1 and
the number of cores).  With
tshark installed it times tshark on the first --tshark MB of each capture
and prints its ratio to the floor per byte.  --flat compares wirelint's
peak memory on a 100 MB and a 1 GB capture of the same mix, with each -j.  --quick is
the CI's run: small captures, one run, to see that it works.
"""
import argparse
import os
import shutil
import statistics
import struct
import subprocess
import sys
import time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--quick", action="store_true")
ap.add_argument("--small", type=float, default=350)
ap.add_argument("--large", type=float, default=750)
ap.add_argument("--runs", type=int, default=3)
ap.add_argument("--jobs", default="1,%d" % os.cpu_count() if (os.cpu_count() or 1) > 1 else "1")
ap.add_argument("--flat", action="store_true")
ap.add_argument("--mixes", default="small,large", help="which captures to time: small, large or both")
ap.add_argument("--tshark", type=float, default=20)
ap.add_argument("--build", default=os.path.join(root, "build"))
ap.add_argument("--out", default=os.path.join(root, "bench", "out"))
a = ap.parse_args()
if a.quick:
    a.small, a.large, a.runs, a.tshark = 4, 8, 1, 2
unknown = set(a.mixes.split(",")) - {"small", "large"}
if unknown:
    sys.exit("bench: --mixes: %s: the mixes are small and large" % ",".join(sorted(unknown)))
wirelint = os.path.join(a.build, "wirelint")
floor = os.path.join(a.build, "bench", "floor")
for b in (wirelint, floor, "/usr/bin/time"):
    if not os.access(b, os.X_OK):
        sys.exit("bench: %s is missing; run scripts/setup.sh first" % b)
os.makedirs(a.out, exist_ok=True)


def capture(mix, mb):
    path = os.path.join(a.out, "%s-%gMB.pcap" % (mix, mb))
    if not os.path.exists(path):
        subprocess.run([sys.executable, os.path.join(root, "bench", "gen.py"), path, "--mix", mix, "--size", str(mb)],
                       check=True, stdout=subprocess.DEVNULL)
    return path


def measure(cmd):
    """(cpu seconds, wall seconds, peak RSS in MiB) of one run of cmd, its output thrown away.

    Through /usr/bin/time, which forks from itself: a child forked (or
    spawned) from this Python would start its peak resident set with
    Python's.  The CPU time comes from wait4, and covers time's child.
    """
    t0 = time.perf_counter()
    p = subprocess.Popen(["/usr/bin/time", "-f", "%M", *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit("bench: %s failed (%d): %s" % (" ".join(cmd), code, err.decode(errors="replace")[-300:]))
    return ru.ru_utime + ru.ru_stime, wall, int(err.split()[-1]) / 1024


def counts(path):
    out = subprocess.run([wirelint, "--format", "jsonl", "--fail-on", "none", path], capture_output=True,
                         check=True).stdout.decode().splitlines()
    import json
    s = json.loads(out[-1])
    return s["packets"], s["transactions"]


def slice_of(path, mb):
    """The first mb megabytes of a pcap, whole records."""
    out = path[:-5] + "-slice%gMB.pcap" % mb
    if os.path.exists(out):
        return out
    limit = int(mb * 1e6)
    with open(path, "rb") as f, open(out, "wb") as o:
        o.write(f.read(24))
        n = 24
        while n < limit:
            h = f.read(16)
            if len(h) < 16:
                break
            caplen = struct.unpack("<I", h[8:12])[0]
            o.write(h + f.read(caplen))
            n += 16 + caplen
    return out


def median(xs):
    return statistics.median(xs)


jobs = [int(j) for j in a.jobs.split(",")]
rows = []
print("machine: %s, %d cores; wirelint %s" % (os.uname().machine, os.cpu_count(),
                                             subprocess.run([wirelint, "--version"], capture_output=True).stdout.decode().strip()))
for mix, mb in (("small", a.small), ("large", a.large)):
    if mix not in a.mixes.split(","):
        continue
    path = capture(mix, mb)
    size = os.path.getsize(path) / 1e6
    packets, txns = counts(path)
    with open(path, "rb") as f:  # warm the page cache
        while f.read(1 << 24):
            pass
    fl, fb, wl = [], [], {j: [] for j in jobs}
    for _ in range(a.runs):
        fl.append(measure([floor, path]))
        fb.append(measure([floor, "--buffer", "65536", path]))
        for j in jobs:
            wl[j].append(measure([wirelint, "-j", str(j), "--fail-on", "none", "-q", "-o", "/dev/null", path]))
    f_cpu, f_wall = median([x[0] for x in fl]), median([x[1] for x in fl])
    b_cpu, b_wall = median([x[0] for x in fb]), median([x[1] for x in fb])
    print("\n%s: %.1f MB, %d packets, %d transactions" % (os.path.basename(path), size, packets, txns))
    print("  %-13s %8s %8s %9s %11s %10s %8s %9s %10s %8s %9s" % (
        "", "cpu s", "wall s", "MB/s", "packets/s", "txn/s", "peak MiB", "cpu/floor", "wall/floor", "speed-up",
        "cpu/floor64"))
    print("  %-13s %8.3f %8.3f %9.0f %11.0f %10s %8.1f %9s %10s %8s %9.2f" % (
        "floor", f_cpu, f_wall, size / f_wall, packets / f_wall, "-", median([x[2] for x in fl]), "1.0", "1.0", "",
        f_cpu / b_cpu))
    print("  %-13s %8.3f %8.3f %9.0f %11.0f %10s %8.1f %9.2f %10.2f %8s %9s" % (
        "floor64", b_cpu, b_wall, size / b_wall, packets / b_wall, "-", median([x[2] for x in fb]), b_cpu / f_cpu,
        b_wall / f_wall, "", "1.0"))
    wall1 = median([x[1] for x in wl[jobs[0]]])
    for j in jobs:
        cpu, wall, rss = median([x[0] for x in wl[j]]), median([x[1] for x in wl[j]]), max(x[2] for x in wl[j])
        print("  %-13s %8.3f %8.3f %9.0f %11.0f %10.0f %8.1f %9.2f %10.2f %8.2f %9.2f" % (
            "wirelint -j%d" % j, cpu, wall, size / wall, packets / wall, txns / wall, rss, cpu / f_cpu, wall / f_wall,
            wall1 / wall, cpu / b_cpu))
        rows.append((mix, j, cpu / f_cpu, wall / f_wall, rss))
    if shutil.which("tshark") and a.tshark:
        sl = slice_of(path, min(a.tshark, mb))
        ssize = os.path.getsize(sl) / 1e6
        t_cpu, t_wall, t_rss = measure(["tshark", "-n", "-r", sl, "-Y", "http.response", "-T", "fields",
                                        "-e", "http.response.code"])
        ratio = (t_cpu / ssize) / (f_cpu / size)
        print("  %-13s %8.3f %8.3f %9.1f %11s %10s %8.1f %9.0f %10s   (on the first %.1f MB)" % (
            "tshark", t_cpu, t_wall, ssize / t_wall, "-", "-", t_rss, ratio, "-", ssize))

if a.flat:
    print("\nmemory against capture size (small mix):")
    for mb in (100, 1000):
        path = capture("small", mb)
        for j in jobs:
            cpu, wall, rss = measure([wirelint, "-j", str(j), "--fail-on", "none", "-q", "-o", "/dev/null", path])
            print("  %6d MB, -j%d: peak %.1f MiB" % (mb, j, rss))
