#!/usr/bin/env python3
"""The benchmark: wirelint against the floor (libpcap reading the capture and nothing else), in one run.

    bench/run.py [--quick] [--small MB] [--large MB] [--web MB] [--mixes small,large,web] [--persistent | --per-conn N[-M]] [--drop PCT]
                 [--reorder PCT] [--retransmit PCT] [--tls PCT] [--connect PCT]
                 [--conns N] [--pcapng]
                 [--capture FILE]... [--runs N] [--jobs 1,N] [--flat] [--tshark MB]

The mixes are bench/gen.py's: small (the cost per transaction), large
(the cost per byte) and web (browsers' heads, as production traffic has
them); the issue's targets are set on the first two.

Builds nothing: run scripts/setup.sh first (the floor is built with
wirelint, build/bench/floor).  Generates the captures with bench/gen.py into
bench/out/ (kept for the next run), reads each once to warm the page cache,
then times the floor (and the floor over 64 KiB reads, "floor64", as
wirelint reads, and "floor+llhttp", the floor with each connection's
messages parsed by llhttp and nothing else done, build/bench/llhttp_floor)
and wirelint alternately, --runs times each, and
reports the median: CPU time (user + system), wall time, MB/s, packets/s,
transactions/s, peak memory (maximum resident set), the ratios of
wirelint's CPU time and wall time to the floor's, and the speed-up of each
-j over -j 1 in wall time (--jobs: the -j values to time, by default 1 and
the number of cores).  With
tshark installed it times tshark on the first --tshark MB of each capture
and prints its ratio to the floor per byte.  --flat compares wirelint's
peak memory on a 100 MB and a 1 GB capture of the same mix, with each -j.  --quick is
the CI's run: small captures, one run, to see that it works.  Before and
after the timings it prints a cache line's round trip between two cores
(build/bench/corelat), what -j's figures follow, and the time of a load
that misses the caches (build/bench/memlat), what the small mix's
follow: on a virtual machine, what the host gives at the time.  After
each capture's runs it says how much of the capture the page cache still
holds (bench/pagecache.py), and warns when the kernel dropped some of it.

--capture FILE (may be repeated) times a capture of your own, pcap or
pcapng, the same way, instead of the generated ones (add --mixes to time
those too).  --persistent generates the mixes with connections that stay
open for the whole capture, as under wrk (bench/gen.py --persistent);
--per-conn N[-M] with connections of N to M transactions each (--per-conn 1:
a connection a request, as clients without keep-alive make); --drop PCT
with that share of the packets missing from the capture, as when the
kernel drops packets while capturing (bench/gen.py --drop); --reorder PCT
and --retransmit PCT with that share of the segments out of order or sent
twice, as networks do (bench/gen.py --reorder, --retransmit); --tls PCT
with that share of the connections carrying TLS instead of HTTP, as most
of a production link's traffic does (bench/gen.py --tls); --connect PCT
with that share of the connections CONNECT tunnels carrying TLS, as a
forward proxy's capture does (bench/gen.py --connect); --conns N with
N connections open at once instead of 64; --pcapng writes them as pcapng
(bench/gen.py --pcapng), as Wireshark and dumpcap save captures.
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
sys.path.insert(0, os.path.join(root, "bench"))
import pagecache  # noqa: E402
ap = argparse.ArgumentParser(description="wirelint against the floor (libpcap reading the capture), in one run")
ap.add_argument("--quick", action="store_true", help="the CI's run: small captures, one run, to see that it works")
ap.add_argument("--small", type=float, default=350, help="MB of the small-transaction capture (default 350)")
ap.add_argument("--large", type=float, default=750, help="MB of the large-body capture (default 750)")
ap.add_argument("--web", type=float, default=350, help="MB of the web capture, browsers' heads (default 350)")
ap.add_argument("--runs", type=int, default=3, help="runs of each program; the medians are reported (default 3)")
ap.add_argument("--jobs", default="1,%d" % os.cpu_count() if (os.cpu_count() or 1) > 1 else "1",
                help="the -j values to time, comma-separated (default 1 and the number of cores)")
ap.add_argument("--flat", action="store_true", help="also peak memory on 100 MB and 1 GB captures of the small mix")
ap.add_argument("--mixes", help="which generated captures to time, comma-separated: small, large, web (default all, "
                "none with --capture)")
ap.add_argument("--persistent", action="store_true",
                help="generate the mixes with connections open for the whole capture, as under wrk")
ap.add_argument("--per-conn", metavar="N[-M]",
                help="generate the mixes with N to M transactions a connection (1: a connection a request)")
ap.add_argument("--conns", type=int, metavar="N",
                help="generate the mixes with N connections open at once (default gen.py's 64)")
ap.add_argument("--pcapng", action="store_true",
                help="generate the mixes as pcapng, as Wireshark and dumpcap save captures (bench/gen.py --pcapng)")
ap.add_argument("--reorder", type=float, default=0.0, metavar="PCT",
                help="generate the mixes with PCT percent of the segments held behind the next of their direction")
ap.add_argument("--retransmit", type=float, default=0.0, metavar="PCT",
                help="generate the mixes with PCT percent of the segments sent twice")
ap.add_argument("--tls", type=float, default=0.0, metavar="PCT",
                help="generate the mixes with PCT percent of the connections carrying TLS instead of HTTP")
ap.add_argument("--connect", type=float, default=0.0, metavar="PCT",
                help="generate the mixes with PCT percent of the connections CONNECT tunnels (TLS inside)")
ap.add_argument("--drop", type=float, default=0.0, metavar="PCT",
                help="generate the mixes with PCT percent of the packets missing from the capture")
ap.add_argument("--capture", action="append", default=[], metavar="FILE",
                help="time this capture (pcap or pcapng) too; may be repeated")
ap.add_argument("--tshark", type=float, default=20, help="MB of each capture tshark reads (0: no tshark)")
ap.add_argument("--build", default=os.path.join(root, "build"), help="wirelint's build directory")
ap.add_argument("--out", default=os.path.join(root, "bench", "out"), help="where the generated captures are kept")
a = ap.parse_args()
if a.quick:
    a.small, a.large, a.web, a.runs, a.tshark = 4, 8, 8, 1, 2
if a.mixes is None:
    a.mixes = "" if a.capture else "small,large,web"
unknown = set(a.mixes.split(",")) - {"small", "large", "web", ""}
if unknown:
    sys.exit("bench: --mixes: %s: the mixes are small, large and web" % ",".join(sorted(unknown)))
if a.runs < 1:
    sys.exit("bench: --runs: %d: at least 1" % a.runs)
if a.persistent and a.per_conn:
    sys.exit("bench: --per-conn and --persistent: a persistent connection never closes")
if a.per_conn is not None:
    lo, _, hi = a.per_conn.partition("-")
    if not (lo.isdigit() and (hi.isdigit() or not hi) and 1 <= int(lo) <= int(hi or lo)):
        sys.exit("bench: --per-conn %s: want N or N-M, 1 <= N <= M" % a.per_conn)
for name, pct in (("--drop", a.drop), ("--reorder", a.reorder), ("--retransmit", a.retransmit), ("--tls", a.tls),
                  ("--connect", a.connect)):
    if not 0 <= pct < 100:
        sys.exit("bench: %s %g: want a percentage from 0 to below 100" % (name, pct))
if a.tls + a.connect >= 100:
    sys.exit("bench: --tls %g and --connect %g: their shares add up to 100 or more" % (a.tls, a.connect))
if a.conns is not None and not 1 <= a.conns <= 65536:
    sys.exit("bench: --conns %d: want 1 to 65536" % a.conns)
for c in a.capture:
    if not os.path.isfile(c):
        sys.exit("bench: --capture: %s: no such file" % c)
wirelint = os.path.join(a.build, "wirelint")
floor = os.path.join(a.build, "bench", "floor")
llfloor = os.path.join(a.build, "bench", "llhttp_floor")
corelat = os.path.join(a.build, "bench", "corelat")
memlat = os.path.join(a.build, "bench", "memlat")
for b in (wirelint, floor, llfloor, corelat, memlat, "/usr/bin/time"):
    if not os.access(b, os.X_OK):
        sys.exit("bench: %s is missing; run scripts/setup.sh first" % b)
os.makedirs(a.out, exist_ok=True)


# The shape the mixes are generated in, other than the default: gen.py's
# arguments and the files' suffix for each option given.
shape = [(args, suffix) for given, args, suffix in (
    (a.persistent, ["--persistent"], "-persistent"),
    (a.per_conn, ["--per-conn", a.per_conn], "-perconn%s" % a.per_conn),
    (a.drop, ["--drop", "%g" % a.drop], "-drop%g" % a.drop),
    (a.reorder, ["--reorder", "%g" % a.reorder], "-reorder%g" % a.reorder),
    (a.retransmit, ["--retransmit", "%g" % a.retransmit], "-retransmit%g" % a.retransmit),
    (a.tls, ["--tls", "%g" % a.tls], "-tls%g" % a.tls),
    (a.connect, ["--connect", "%g" % a.connect], "-connect%g" % a.connect),
    (a.conns, ["--conns", str(a.conns)], "-c%s" % a.conns),
    (a.pcapng, ["--pcapng"], "")) if given]


def capture(mix, mb):
    path = os.path.join(a.out, "%s-%gMB%s.%s" % (mix, mb, "".join(suffix for _, suffix in shape),
                                               "pcapng" if a.pcapng else "pcap"))
    if not os.path.exists(path):
        subprocess.run([sys.executable, os.path.join(root, "bench", "gen.py"), path, "--mix", mix, "--size", str(mb)]
                       + [x for args, _ in shape for x in args], check=True, stdout=subprocess.DEVNULL)
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
    p = subprocess.run([wirelint, "--format", "jsonl", "--fail-on", "none", path], capture_output=True)
    if p.returncode != 0:
        sys.exit("bench: wirelint could not read %s whole (exit status %d): %s" % (
            path, p.returncode, p.stderr.decode(errors="replace").strip()[-300:]))
    import json
    s = json.loads(p.stdout.decode().splitlines()[-1])
    return s["packets"], s["transactions"]


def slice_of(path, mb):
    """The first mb megabytes of a pcap or pcapng capture, whole records (the capture itself when it is smaller).

    A pcapng slice is the blocks up to the limit, so its section header and
    the interface descriptions of the packets in it come along.  Written
    into --out, not beside the capture.
    """
    limit = int(mb * 1e6)
    if os.path.getsize(path) <= limit:
        return path
    base = os.path.basename(path)
    stem, ext = os.path.splitext(base)
    out = os.path.join(a.out, "%s-slice%gMB%s" % (stem, mb, ext or ".pcap"))
    if os.path.exists(out) and os.path.getmtime(out) >= os.path.getmtime(path):
        return out
    with open(path, "rb") as f, open(out + ".part", "wb") as o:
        magic = f.read(4)
        if magic == b"\x0a\x0d\x0d\x0a":  # pcapng: blocks of (type, total length, ..., total length)
            f.seek(0)
            order, n = "<", 0
            while n < limit:
                h = f.read(8)
                if len(h) < 8:
                    break
                if h[:4] == b"\x0a\x0d\x0d\x0a":  # a section header: its byte-order magic says the order
                    bom = f.read(4)
                    order = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
                    f.seek(-4, 1)
                blen = struct.unpack(order + "I", h[4:8])[0]
                if blen < 12 or blen % 4:
                    sys.exit("bench: %s: a pcapng block of %d bytes at offset %d" % (path, blen, f.tell() - 8))
                o.write(h + f.read(blen - 8))
                n += blen
        else:
            if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
                order = "<"
            elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
                order = ">"
            else:
                sys.exit("bench: %s: neither pcap nor pcapng (magic %s)" % (path, magic.hex()))
            o.write(magic + f.read(20))
            n = 24
            while n < limit:
                h = f.read(16)
                if len(h) < 16:
                    break
                caplen = struct.unpack(order + "I", h[8:12])[0]
                o.write(h + f.read(caplen))
                n += 16 + caplen
    os.replace(out + ".part", out)
    return out


def median(xs):
    return statistics.median(xs)


jobs = [int(j) for j in a.jobs.split(",")]
rows = []
print("machine: %s, %d cores; wirelint %s" % (os.uname().machine, os.cpu_count(),
                                             subprocess.run([wirelint, "--version"], capture_output=True).stdout.decode().strip()))


def host(program):
    """What the host gives at the time: a cache line's round trip between two cores
    (build/bench/corelat), which -j's figures follow, or a load that misses the caches
    (build/bench/memlat), which the small mix's follow."""
    r = subprocess.run([program], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("bench: %s failed: %s" % (program, r.stderr.strip()))
    return r.stdout.strip()


print("cores: %s (before the timings)" % host(corelat))
print("memory: %s (before the timings)" % host(memlat))


def per(x, y, fmt="%.2f"):
    """x / y, or "-" when y is too small to divide by (a capture read in less than the clock's tick)."""
    return fmt % (x / y) if y > 0 else "-"


todo = [(mix, capture(mix, mb)) for mix, mb in (("small", a.small), ("large", a.large), ("web", a.web))
        if mix in a.mixes.split(",")]
todo += [("capture", c) for c in a.capture]
for mix, path in todo:
    size = os.path.getsize(path) / 1e6
    packets, txns = counts(path)
    with open(path, "rb") as f:  # warm the page cache
        while f.read(1 << 24):
            pass
    fl, fb, fh, wl = [], [], [], {j: [] for j in jobs}
    for _ in range(a.runs):
        fl.append(measure([floor, path]))
        fb.append(measure([floor, "--buffer", "65536", path]))
        fh.append(measure([llfloor, path]))
        for j in jobs:
            wl[j].append(measure([wirelint, "-j", str(j), "--fail-on", "none", "-q", "-o", "/dev/null", path]))
    f_cpu, f_wall = median([x[0] for x in fl]), median([x[1] for x in fl])
    b_cpu, b_wall = median([x[0] for x in fb]), median([x[1] for x in fb])
    h_cpu, h_wall = median([x[0] for x in fh]), median([x[1] for x in fh])
    print("\n%s: %.1f MB, %d packets, %d transactions" % (os.path.basename(path), size, packets, txns))
    row = "  %-13s %8s %8s %9s %11s %10s %8s %9s %10s %8s %11s"
    print(row % ("", "cpu s", "wall s", "MB/s", "packets/s", "txn/s", "peak MiB", "cpu/floor", "wall/floor",
                 "speed-up", "cpu/floor64"))
    print(row % ("floor", "%.3f" % f_cpu, "%.3f" % f_wall, per(size, f_wall, "%.0f"), per(packets, f_wall, "%.0f"),
                 "-", "%.1f" % median([x[2] for x in fl]), "1.0", "1.0", "", per(f_cpu, b_cpu)))
    print(row % ("floor64", "%.3f" % b_cpu, "%.3f" % b_wall, per(size, b_wall, "%.0f"), per(packets, b_wall, "%.0f"),
                 "-", "%.1f" % median([x[2] for x in fb]), per(b_cpu, f_cpu), per(b_wall, f_wall), "", "1.0"))
    print(row % ("floor+llhttp", "%.3f" % h_cpu, "%.3f" % h_wall, per(size, h_wall, "%.0f"),
                 per(packets, h_wall, "%.0f"), per(txns, h_wall, "%.0f"), "%.1f" % median([x[2] for x in fh]),
                 per(h_cpu, f_cpu), per(h_wall, f_wall), "", per(h_cpu, b_cpu)))
    wall1 = median([x[1] for x in wl[jobs[0]]])
    for j in jobs:
        cpu, wall, rss = median([x[0] for x in wl[j]]), median([x[1] for x in wl[j]]), max(x[2] for x in wl[j])
        print(row % ("wirelint -j%d" % j, "%.3f" % cpu, "%.3f" % wall, per(size, wall, "%.0f"),
                     per(packets, wall, "%.0f"), per(txns, wall, "%.0f"), "%.1f" % rss, per(cpu, f_cpu),
                     per(wall, f_wall), per(wall1, wall), per(cpu, b_cpu)))
        rows.append((mix, j, cpu / f_cpu if f_cpu else None, wall / f_wall if f_wall else None))
    # What wirelint does beyond parsing: its CPU time over floor+llhttp's.
    print("  wirelint -j%d's CPU time over floor+llhttp's: %s" % (jobs[0], per(median([x[0] for x in wl[jobs[0]]]), h_cpu)))
    # Warmed before the runs; a kernel may have dropped some of it since.
    held = pagecache.resident(path)
    if held is None:
        print("  in the page cache after the runs: cannot tell (mincore refused)")
    else:
        print("  in the page cache after the runs: %.1f of %.1f MB" % (held[0] / 1e6, held[1] / 1e6))
        if held[0] < 0.99 * held[1]:
            print("  note: the kernel dropped some of the capture from the page cache during the runs, so they read it "
                  "from the disk again: slower and noisier figures (time a copy in /dev/shm, or free memory)")
    if shutil.which("tshark") and a.tshark:
        sl = slice_of(path, a.tshark)
        ssize = os.path.getsize(sl) / 1e6
        t_cpu, t_wall, t_rss = measure(["tshark", "-n", "-r", sl, "-Y", "http.response", "-T", "fields",
                                        "-e", "http.response.code"])
        print(row % ("tshark", "%.3f" % t_cpu, "%.3f" % t_wall, per(ssize, t_wall, "%.1f"), "-", "-", "%.1f" % t_rss,
                     per(t_cpu / ssize, f_cpu / size, "%.0f"), "-", "", "") + "  (per byte, on the first %.1f MB)" % ssize)

# The targets, for the generated mixes: -j 1 CPU time at most 3x the
# floor's on the small mix and 2x on the large; -j 2 wall time at most 2x.
targets = []
for mix, j, cpu_r, wall_r in rows:
    if mix not in ("small", "large"):
        continue
    if j == 1:
        targets.append(("-j 1 %s: CPU time / floor" % mix, cpu_r, 3.0 if mix == "small" else 2.0))
    elif j == 2:
        targets.append(("-j 2 %s: wall time / floor" % mix, wall_r, 2.0))
if targets:
    # The issue sets them on the default mixes; another shape is measured against them all the same.
    print("\ntargets%s:" % (" (set for the default mixes; these are %s)" % " ".join(" ".join(args) for args, _ in shape)
                             if shape else ""))
    for what, got, want in targets:
        print("  %-32s %6s  (target at most %.0f: %s)" % (
            what, "-" if got is None else "%.2f" % got, want,
            "?" if got is None else "met" if got <= want else "not met"))

if a.flat:
    print("\nmemory against capture size (small mix):")
    for mb in (100, 1000):
        path = capture("small", mb)
        for j in jobs:
            cpu, wall, rss = measure([wirelint, "-j", str(j), "--fail-on", "none", "-q", "-o", "/dev/null", path])
            print("  %6d MB, -j%d: peak %.1f MiB" % (mb, j, rss))

print("\ncores: %s (after the timings)" % host(corelat))
print("memory: %s (after the timings)" % host(memlat))
