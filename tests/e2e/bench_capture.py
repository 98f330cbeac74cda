#!/usr/bin/env python3
"""bench/run.py --capture times a capture of the user's own, pcap or pcapng (docs/performance.md).

A 1 MB capture from bench/gen.py, and the same packets written here as
pcapng in both byte orders, are timed with --capture (one run, -j 1 and 2):
each gets its rows, with the packet and transaction counts wirelint's own
summary gives, and no generated capture is made or timed; floor+llhttp
(build/bench/llhttp_floor) parses as many requests and responses as
wirelint counts in each.  tshark reads
the first 0.2 MB of each: the slice is the capture's first bytes, whole
records (a pcapng slice is a byte prefix, its section header and interface
description kept), and wirelint reads it without complaint.  A file that is
neither pcap nor pcapng, and one that does not exist, stop the bench with a
message naming it.

    bench_capture.py BUILD_DIR
"""
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

from e2e_checks import check, finish

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
build = sys.argv[1]
wirelint = os.path.join(build, "wirelint")
scratch = tempfile.TemporaryDirectory()  # removed at exit, pass or fail
tmp = scratch.name


def to_pcapng(src, dst, order):
    """The packets of pcap src as pcapng: a section header, one interface, enhanced packet blocks."""
    def block(btype, body):
        body += b"\0" * (-len(body) % 4)
        n = 12 + len(body)
        return struct.pack(order + "II", btype, n) + body + struct.pack(order + "I", n)

    with open(src, "rb") as f, open(dst, "wb") as o:
        hdr = f.read(24)
        linktype = struct.unpack("<I", hdr[20:24])[0]
        o.write(block(0x0A0D0D0A, struct.pack(order + "IHHq", 0x1A2B3C4D, 1, 0, -1)))
        o.write(block(1, struct.pack(order + "HHI", linktype, 0, 262144)))
        while True:
            h = f.read(16)
            if len(h) < 16:
                break
            sec, usec, caplen, wirelen = struct.unpack("<IIII", h)
            ts = sec * 1000000 + usec
            o.write(block(6, struct.pack(order + "IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, caplen, wirelen)
                          + f.read(caplen)))


def summary(path):
    p = subprocess.run([wirelint, "-F", "jsonl", "--fail-on", "none", path], capture_output=True)
    check(p.returncode == 0, "wirelint reads %s (exit %d: %s)" % (path, p.returncode, p.stderr.decode()[-200:]))
    s = json.loads(p.stdout.decode().splitlines()[-1]) if p.returncode == 0 else {}
    return s.get("packets"), s.get("transactions"), s.get("responses")


pcap = os.path.join(tmp, "mine.pcap")
subprocess.run([sys.executable, os.path.join(root, "bench", "gen.py"), pcap, "--size", "1"], check=True,
               stdout=subprocess.DEVNULL)
le = os.path.join(tmp, "mine-le.pcapng")
be = os.path.join(tmp, "mine-be.pcapng")
to_pcapng(pcap, le, "<")
to_pcapng(pcap, be, ">")
out = os.path.join(tmp, "out")
p = subprocess.run([sys.executable, os.path.join(root, "bench", "run.py"), "--build", build, "--out", out,
                    "--runs", "1", "--jobs", "1,2", "--tshark", "0.2",
                    "--capture", pcap, "--capture", le, "--capture", be], capture_output=True, text=True)
print(p.stdout)
check(p.returncode == 0, "run.py --capture exits 0 (%d: %s)" % (p.returncode, p.stderr[-300:]))
text = p.stdout
packets, txns, resps = summary(pcap)
check(packets and txns, "the capture has packets and transactions")
# floor+llhttp parses every message wirelint does, in each format: the
# requests are wirelint's transactions, the responses its responses.
llfloor = os.path.join(build, "bench", "llhttp_floor")
for c in (pcap, le, be):
    p = subprocess.run([llfloor, c], capture_output=True, text=True)
    want = "%d packets, " % packets
    check(p.returncode == 0 and p.stdout.startswith(want) and
          " %d requests, %d responses, 0 parse errors, 0 directions with a hole" % (txns, resps) in p.stdout,
          "llhttp_floor %s parses wirelint's %d requests and %d responses: %r" % (
              os.path.basename(c), txns, resps, p.stdout.strip() + p.stderr.strip()))
for c in (pcap, le, be):
    head = "%s: %.1f MB, %d packets, %d transactions" % (os.path.basename(c), os.path.getsize(c) / 1e6,
                                                          packets or 0, txns or 0)
    check(head in text, "a section for %s with wirelint's counts: %r" % (os.path.basename(c), head))
    part = text.split(head, 1)[-1].split("\n\n", 1)[0]
    for r in ("floor ", "floor64 ", "floor+llhttp ", "wirelint -j1 ", "wirelint -j2 "):
        check(("\n  " + r) in part, "%s has a row %r" % (os.path.basename(c), r.strip()))
    m = re.search(r"\n  in the page cache after the runs: ([0-9.]+) of ([0-9.]+) MB\n", part)
    check(m is not None and m.group(2) == "%.1f" % (os.path.getsize(c) / 1e6) and float(m.group(1)) <= float(m.group(2)),
          "%s says how much of it the page cache held: %r" % (os.path.basename(c), m and m.group(0)))
    if shutil.which("tshark"):
        check("\n  tshark " in part and "on the first 0.2 MB" in part, "%s has tshark's row, on 0.2 MB" % c)
check("small-" not in text and "large-" not in text and "targets:" not in text,
      "with --capture alone, no generated mix is timed")
made = sorted(os.listdir(out)) if os.path.isdir(out) else []
check(not [m for m in made if m.startswith(("small-", "large-"))], "no generated capture was written: %s" % made)

if shutil.which("tshark"):
    for c in (pcap, le, be):
        stem, ext = os.path.splitext(os.path.basename(c))
        sl = os.path.join(out, "%s-slice0.2MB%s" % (stem, ext))
        check(os.path.exists(sl), "the slice %s was written into --out" % os.path.basename(sl))
        if not os.path.exists(sl):
            continue
        data, whole = open(sl, "rb").read(), open(c, "rb").read()
        check(200000 <= len(data) < 200000 + 1600, "%s: 0.2 MB and at most one record more (%d bytes)" % (sl, len(data)))
        check(whole.startswith(data), "%s is the first bytes of %s" % (os.path.basename(sl), os.path.basename(c)))
        sp, st, _ = summary(sl)
        check(sp and packets and 0 < sp < packets, "%s: fewer packets than the whole (%s of %s)" % (sl, sp, packets))

garbage = os.path.join(tmp, "notes.pcap")
with open(garbage, "wb") as f:
    f.write(b"these are not packets\n" * 100)
for bad, says in ((garbage, garbage), (os.path.join(tmp, "missing.pcap"), "no such file")):
    p = subprocess.run([sys.executable, os.path.join(root, "bench", "run.py"), "--build", build, "--out", out,
                        "--runs", "1", "--capture", bad], capture_output=True, text=True)
    check(p.returncode != 0 and bad in p.stderr and says in p.stderr,
          "run.py --capture %s stops naming it (exit %d, %r)" % (os.path.basename(bad), p.returncode, p.stderr[-200:]))
    p = subprocess.run([llfloor, bad], capture_output=True, text=True)
    check(p.returncode == 2 and p.stderr.startswith("llhttp_floor: %s: " % bad),
          "llhttp_floor %s stops naming it (exit %d, %r)" % (os.path.basename(bad), p.returncode, p.stderr[-200:]))

finish()
