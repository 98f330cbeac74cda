#!/usr/bin/env python3
"""pcap files read in place give what libpcap gives (analyzer/pcapfile.c, docs/performance.md).

wirelint reads a plain pcap file itself, in place in a window of the file,
and leaves what is unusual to libpcap: a whole file whose header is not
plain, or the rest of a file from a record that is not (cut short by the
end of the file, or longer than libpcap takes).  WIRELINT_PCAP_READER=libpcap
reads every pcap file through libpcap, as before.  On each capture below,
both ways give the same JSON Lines, the same SARIF report (its byteOffset
and byteLength included), the same messages and the same exit status, at
-j 1 and -j 3:

  - the demo in both byte orders, with microsecond and nanosecond times
    (nanoseconds that libpcap divides down, 999 of them past the
    microsecond), and times past 2038 and at the fraction's edges;
  - its packets as raw IP (link type 101, DLT_RAW 12 here), Linux cooked,
    BSD loopback;
  - a snap length of 200 with whole frames in the records (libpcap cuts
    them to 200 and passes over the rest); a record of 200 KiB;
  - files cut in a record's header and in its data, a record longer than
    libpcap takes (300000 bytes), a few bytes of junk at the end;
  - headers read by libpcap whole: version 2.3, a snap length of 0,
    modified pcap, an FCS length in the link type's upper bits, a link
    type wirelint does not decode;
  - 6 MB of bench/gen.py's small mix, over many windows.

Under strace (when it can trace), the in-place reader is seen at work: its
reads of the file ask for 256 KiB, libpcap's for 64 KiB.

    pcap_in_place.py WIRELINT
"""
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
wirelint = sys.argv[1]
scratch = tempfile.TemporaryDirectory()  # removed at exit, pass or fail
tmp = scratch.name

demo = open(os.path.join(root, "captures", "demo.pcap"), "rb").read()
magic, vmaj, vmin, zone, sig, snap, lt = struct.unpack("<IHHiIII", demo[:24])
assert magic == 0xA1B2C3D4 and lt == 1, "demo.pcap is little-endian Ethernet with microsecond times"
recs = []
off = 24
while off < len(demo):
    sec, usec, incl, orig = struct.unpack("<IIII", demo[off:off + 16])
    recs.append((sec, usec, demo[off + 16:off + 16 + incl], orig))
    off += 16 + incl


def pcap(name, records, bo="<", nsec=False, snap=262144, linktype=1, version=(2, 4), magic=None, tail=b""):
    """Writes records (sec, frac, data, orig) as a pcap file; returns its path."""
    m = magic if magic is not None else (0xA1B23C4D if nsec else 0xA1B2C3D4)
    out = [struct.pack(bo + "IHHiIII", m, version[0], version[1], 0, 0, snap, linktype)]
    for sec, frac, data, orig in records:
        out.append(struct.pack(bo + "IIII", sec, frac, len(data), orig) + data)
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(b"".join(out) + tail)
    return path


def relink(strip, prefix):
    """The demo's frames with their Ethernet header replaced."""
    return [(s, u, prefix(d[12:14]) + d[strip:], o - strip + len(prefix(d[12:14]))) for s, u, d, o in recs]


def sll(ethertype):
    return struct.pack(">HHH8s", 0, 1, 6, b"\x02\0\0\0\0\x01\0\0") + ethertype


def loop(ethertype):
    return struct.pack("<I", 2 if ethertype == b"\x08\x00" else 24)


caps = []
caps.append(pcap("le-us.pcap", recs))
caps.append(pcap("be-us.pcap", recs, bo=">"))
ns = [(s, u * 1000 + 999, d, o) for s, u, d, o in recs]
caps.append(pcap("le-ns.pcap", ns, nsec=True))
caps.append(pcap("be-ns.pcap", ns, bo=">", nsec=True))
# Seconds past 2^31 (libpcap's are signed 32-bit), fractions at their edges.
late = [(0x90000000 + i, (999999, 0, 1000000, 0xFFFFFFFF)[i % 4], d, o) for i, (s, u, d, o) in enumerate(recs)]
caps.append(pcap("late-us.pcap", late))
caps.append(pcap("late-ns.pcap", [(s, (999999999, 0, 1999, 0x80000000)[i % 4], d, o)
                                  for i, (s, u, d, o) in enumerate(late)], nsec=True))
caps.append(pcap("raw.pcap", relink(14, lambda et: b""), linktype=101))
caps.append(pcap("sll.pcap", relink(14, lambda et: sll(et)), linktype=113))
caps.append(pcap("loop.pcap", relink(14, loop), linktype=0))
# Snap length 200, the records whole: libpcap cuts each longer one to 200.
caps.append(pcap("snap200.pcap", recs, snap=200))
# A record of 200 KiB in the middle (not TCP: padding after an IP header of its own), within the snap length.
big = recs[:5] + [(recs[5][0], recs[5][1], recs[5][2][:14] + b"\x45" + b"\0" * (200 * 1024), 14 + 1 + 200 * 1024)] + recs[5:]
caps.append(pcap("big-record.pcap", big))
whole = open(caps[0], "rb").read()
last = 24 + sum(16 + len(d) for _, _, d, _ in recs[:-1])
for name, data in (("cut-in-header.pcap", whole[:last + 7]), ("cut-in-data.pcap", whole[:last + 16 + 20]),
                   ("junk-at-end.pcap", whole + b"\x01\x02\x03")):
    path = os.path.join(tmp, name)
    open(path, "wb").write(data)
    caps.append(path)
# A record longer than libpcap takes, after some plain ones.
huge = struct.pack("<IIII", 1, 0, 300000, 300000) + b"\0" * 300000
caps.append(pcap("too-long.pcap", recs[:8], tail=huge + b"".join(
    struct.pack("<IIII", s, u, len(d), o) + d for s, u, d, o in recs[8:])))
# Headers read by libpcap whole.
caps.append(pcap("v2-3.pcap", recs, version=(2, 3)))
caps.append(pcap("snap0.pcap", recs, snap=0))
caps.append(pcap("fcs.pcap", recs, linktype=1 | 0x04000000 | (4 << 28)))
caps.append(pcap("linktype-147.pcap", recs, linktype=147))
mod = [(s, u, d, o) for s, u, d, o in recs]
path = os.path.join(tmp, "modified.pcap")
with open(path, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2CD34, 2, 4, 0, 0, 262144, 1))
    for s, u, d, o in mod:
        f.write(struct.pack("<IIII", s, u, len(d), o) + struct.pack("<IHBB", 0, 0, 0, 0) + d)
caps.append(path)
mix = os.path.join(tmp, "small.pcap")
subprocess.run([sys.executable, os.path.join(root, "bench", "gen.py"), mix, "--size", "6"], check=True,
               stdout=subprocess.DEVNULL)
caps.append(mix)

libpcap = dict(os.environ, WIRELINT_PCAP_READER="libpcap")


def run(path, env, *args):
    p = subprocess.run([wirelint, "--fail-on", "none", *args, path], capture_output=True, env=env)
    return p.returncode, p.stdout, p.stderr


for path in caps:
    name = os.path.basename(path)
    for args in (["-F", "jsonl", "-j", "1"], ["-F", "jsonl", "-j", "3"], ["-F", "sarif", "-j", "1"]):
        want = run(path, libpcap, "-F", args[1], "-j", "1")
        got = run(path, os.environ, *args)
        check(got == want, "%s %s: as libpcap reads it (exit %d and %d; %r)" % (
            name, " ".join(args), got[0], want[0], got[2][-200:] if got[2] != want[2] else b""))
    if name == "le-us.pcap":
        check(b'"frame":' in want[1] or b'"frame"' in run(path, os.environ, "-F", "jsonl")[1],
              "the demo's transactions are there")

# What the damaged ones say, the same both ways, and read up to the damage.
code, out, err = run(os.path.join(tmp, "cut-in-header.pcap"), os.environ, "-F", "jsonl")
check(code == 2 and b"truncated dump file; tried to read 16 header bytes" in err and out.count(b'"transaction"') > 0,
      "a file cut in a record's header: libpcap's message, exit 2, the transactions before it (%d: %r)" % (code, err[-200:]))
code, out, err = run(os.path.join(tmp, "too-long.pcap"), os.environ, "-F", "jsonl")
check(code == 2 and b"invalid packet capture length 300000" in err,
      "a record longer than libpcap takes: its message, exit 2 (%d: %r)" % (code, err[-200:]))

# Under strace: the reader asks the file for 256 KiB at a time, libpcap's stream for 64 KiB.
if shutil.which("strace"):
    call = re.compile(r"^read\((\d+), .*, (\d+)\) += (-?\d+)")
    env_t = dict(os.environ, ASAN_OPTIONS=(os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":"))
    sizes = {}
    for label, env in (("in place", env_t), ("libpcap", dict(env_t, WIRELINT_PCAP_READER="libpcap"))):
        log = os.path.join(tmp, "strace.log")
        r = subprocess.run(["strace", "-qq", "-o", log, "-e", "trace=read", wirelint, "-j", "1", "-q", "--fail-on",
                            "none", "-o", "/dev/null", mix], capture_output=True, env=env)
        if r.returncode != 0 and (b"ptrace" in r.stderr or b"Operation not permitted" in r.stderr):
            print("strace cannot trace here; the reads are not watched")
            break
        sizes[label] = [int(m.group(2)) for m in map(call.match, open(log)) if m and int(m.group(3)) > 4096]
    if len(sizes) == 2:
        check(sizes["in place"] and min(sizes["in place"]) >= 262144,
              "read in place: every large read asks for 256 KiB or more (%s)" % sorted(set(sizes["in place"]))[:5])
        check(sizes["libpcap"] and max(sizes["libpcap"]) < 262144,
              "through libpcap: 64 KiB reads (%s)" % sorted(set(sizes["libpcap"]))[:5])
else:
    print("strace is not installed; the reads are not watched")

finish()
