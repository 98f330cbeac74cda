#!/usr/bin/env python3
"""The same traffic in every supported encapsulation gives the same findings.

Rewrites captures/demo.pcap (Ethernet, IPv4) frame by frame into: Ethernet
with an 802.1Q tag, with QinQ tags, with an MPLS label; Linux cooked v1 and
v2; BSD loopback (NULL, both byte orders) and LOOP; raw IP; IPv6 instead of
IPv4; inside tunnels (IP in IP, GRE, ERSPAN I to III, VXLAN, VXLAN-GPE,
Geneve, and four of them nested); and pcapng instead of pcap.  Each variant must give exactly the
findings of demo.expect, and bench/llhttp_floor (the bench's floor+llhttp)
must read each one libpcap opens as it reads demo.pcap.  The files are
made here, in a temporary folder.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from encap import ETH, TUNNELS, VXLAN, gre, inner_eth, outer4, to_ipv6, udp  # noqa: E402

wirelint = sys.argv[1]
SRC = "captures/demo.pcap"
EXPECT = "captures/demo.expect"


def read_pcap(path):
    d = open(path, "rb").read()
    magic, _, _, _, _, snap, dlt = struct.unpack("<IHHiIII", d[:24])
    assert magic == 0xA1B2C3D4 and dlt == 1, "demo.pcap is little-endian Ethernet"
    off, recs = 24, []
    while off < len(d):
        ts, us, cl, ol = struct.unpack("<IIII", d[off:off + 16])
        recs.append((ts, us, d[off + 16:off + 16 + cl]))
        off += 16 + cl
    return recs


def write_pcap(path, dlt, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, dlt))
        for ts, us, fr in frames:
            f.write(struct.pack("<IIII", ts, us, len(fr), len(fr)) + fr)


def pad4(b):
    return b + b"\0" * (-len(b) % 4)


def write_pcapng(path, dlt, frames, bo="<", ifaces=None, pick=None):
    """ifaces: [(linktype, units per second)]; pick(i) -> interface of frame i.
    An unknown block (a custom block, type 0x40000BAD) comes before the packets."""
    ifaces = ifaces or [(dlt, 1000000)]

    def block(btype, body):
        body = pad4(body)
        n = 12 + len(body)
        return struct.pack(bo + "II", btype, n) + body + struct.pack(bo + "I", n)
    with open(path, "wb") as f:
        f.write(block(0x0A0D0D0A, struct.pack(bo + "IHHq", 0x1A2B3C4D, 1, 0, -1)))
        for lt, units in ifaces:
            opts = b""
            if units == 1000000000:
                opts = struct.pack(bo + "HH", 9, 1) + b"\x09\0\0\0" + struct.pack(bo + "HH", 0, 0)
            f.write(block(1, struct.pack(bo + "HHI", lt, 0, 262144) + opts))
        f.write(block(0x40000BAD, b"not for wirelint"))
        for i, (ts, us, fr) in enumerate(frames):
            k = pick(i) if pick else 0
            fr = fr[k] if isinstance(fr, tuple) else fr
            t = ts * ifaces[k][1] + us * (ifaces[k][1] // 1000000)
            f.write(block(6, struct.pack(bo + "IIIII", k, t >> 32, t & 0xFFFFFFFF, len(fr), len(fr)) + pad4(fr)))


def ip_of(frame):
    """The IP packet inside an untagged Ethernet frame."""
    assert frame[12:14] == b"\x08\x00"
    return frame[14:]


variants = {
    "ethernet-vlan": (1, lambda ip: b"\x02" * 6 + b"\x04" * 6 + b"\x81\x00\x00\x07" + b"\x08\x00" + ip),
    "ethernet-qinq": (1, lambda ip: b"\x02" * 6 + b"\x04" * 6 + b"\x88\xa8\x00\x05\x81\x00\x00\x07\x08\x00" + ip),
    "ethernet-mpls": (1, lambda ip: ETH(b"\x00\x01\x41\x40" + ip, b"\x88\x47")),
    "ethernet-ipv6": (1, lambda ip: ETH(to_ipv6(ip), b"\x86\xdd")),
    "linux-sll": (113, lambda ip: struct.pack(">HHH", 0, 772, 6) + b"\0" * 8 + b"\x08\x00" + ip),
    "linux-sll2": (276, lambda ip: b"\x08\x00\0\0" + struct.pack(">I", 1) + struct.pack(">HBB", 772, 0, 6) + b"\0" * 8 + ip),
    "null-le": (0, lambda ip: struct.pack("<I", 2) + ip),
    "null-be": (0, lambda ip: struct.pack(">I", 2) + ip),
    "null-ipv6": (0, lambda ip: struct.pack("<I", 30) + to_ipv6(ip)),
    "loop": (108, lambda ip: struct.pack(">I", 2) + ip),
    "raw": (101, lambda ip: ip),
    "raw-ipv6": (101, lambda ip: to_ipv6(ip)),
}


tunnels = TUNNELS
variants.update({name: (1, fn) for name, fn in tunnels.items()})

recs = read_pcap(SRC)
# Extra pcapng shapes: a big-endian section, and two interfaces of different
# link types (Ethernet in microseconds, raw IPv4 in nanoseconds), which
# libpcap 1.10 refuses and wirelint reads itself.
extra = [
    ("pcapng-big-endian", lambda path: write_pcapng(path, 1, [(ts, us, fr) for ts, us, fr in recs], bo=">")),
    ("pcapng-mixed-interfaces", lambda path: write_pcapng(
        path, 1, [(ts, us, (fr, ip_of(fr))) for ts, us, fr in recs],
        ifaces=[(1, 1000000), (101, 1000000000)], pick=lambda i: i % 2)),
]
want = [l for l in open(EXPECT).read().splitlines() if l.strip()]
scratch = tempfile.TemporaryDirectory()  # removed at exit, pass or fail
tmp = scratch.name
failures = []
cases = [(name, dlt, fn, fmt) for name, (dlt, fn) in variants.items() for fmt in ("pcap", "pcapng")]
cases.append(("ethernet", 1, lambda ip: ETH(ip), "pcapng"))
runs = []
for name, dlt, fn, fmt in cases:
    frames = [(ts, us, fn(ip_of(fr))) for ts, us, fr in recs]
    path = os.path.join(tmp, "%s.%s" % (name, fmt))
    (write_pcap if fmt == "pcap" else write_pcapng)(path, dlt, frames)
    runs.append((name, fmt, path))
for name, make in extra:
    path = os.path.join(tmp, name + ".pcapng")
    make(path)
    runs.append((name, "pcapng", path))
for name, fmt, path in runs:
    p = subprocess.run([wirelint, "--format", "jsonl", "--fail-on", "none", path], capture_output=True, timeout=60)
    got = []
    for line in p.stdout.decode().splitlines():
        o = json.loads(line)
        if o["type"] == "finding":
            got.append("%s %s %s %s" % (o["method"], o["uri"], o["status"], o["rule"]))
    if p.returncode != 0 or got != want:
        failures.append("%s.%s: exit %d, %d findings (want %d)\n%s" % (name, fmt, p.returncode, len(got), len(want),
                                                                    p.stderr.decode(errors="replace")))
if failures:
    print("\n".join(failures))
    sys.exit(1)
print("%d encapsulations give the expected %d findings" % (len(runs), len(want)))

# The bench's floor+llhttp (bench/llhttp_floor) reads what wirelint reads:
# in each encapsulation libpcap opens, the same packets, connections and
# messages as in demo.pcap itself.  (Fewer messages than wirelint finds:
# demo.pcap has malformed messages, and llhttp_floor stops a direction at
# a parse error where wirelint finds the next message.)
llfloor = os.path.join(os.path.dirname(wirelint), "bench", "llhttp_floor")
p = subprocess.run([llfloor, SRC], capture_output=True, timeout=60)
counts = p.stdout.decode().strip()
if p.returncode != 0 or " requests, " not in counts or counts.startswith("0 "):
    failures.append("llhttp_floor %s: exit %d, %r" % (SRC, p.returncode, counts + p.stderr.decode(errors="replace")))
for name, fmt, path in runs:
    if name == "pcapng-mixed-interfaces":
        continue  # two link types in one file: libpcap refuses it (wirelint reads it itself)
    if name in tunnels:
        continue  # the floor reads the link layer and IP only, as the bench's captures have them
    p = subprocess.run([llfloor, path], capture_output=True, timeout=60)
    if p.returncode != 0 or p.stdout.decode().strip() != counts:
        failures.append("llhttp_floor %s.%s: exit %d, %r (want %r)" % (
            name, fmt, p.returncode, (p.stdout + p.stderr).decode(errors="replace").strip(), counts))
if failures:
    print("\n".join(failures))
    sys.exit(1)
print("llhttp_floor reads every encapsulation libpcap opens as demo.pcap: %s" % counts)

# Tunnels: what is counted.  Every packet of a tunneled variant is counted
# in pkt_tunneled, none of a plain one; nesting past the fourth tunnel is
# malformed; UDP to a tunnel's port that is not one, GRE version 1 (PPTP)
# and other UDP are not TCP, as before; a tunnel cut by the snap length is
# truncated.


def summary(path):
    p = subprocess.run([wirelint, "--format", "jsonl", "--fail-on", "none", path], capture_output=True, timeout=60)
    lines = [json.loads(l) for l in p.stdout.decode().splitlines()]
    return p.returncode, [o for o in lines if o["type"] == "finding"], lines[-1]


n = len(recs)
for name, want_tunneled in (("vxlan", n), ("nested", n), ("gre-over-ipv6", n), ("ethernet-vlan", 0)):
    rc, _, summ = summary(os.path.join(tmp, name + ".pcap"))
    if rc != 0 or summ["packets"] != n or summ["pkt_tunneled"] != want_tunneled:
        failures.append("%s.pcap: pkt_tunneled %s of %s packets, want %d" % (
            name, summ.get("pkt_tunneled"), summ.get("packets"), want_tunneled))
odd = {
    # One tunnel more than is followed: VXLAN in GRE in IP in IP in IP.
    "too-deep": (lambda ip: ETH(outer4(4, outer4(4, outer4(4, outer4(47, gre(0x0800, VXLAN(4789, ip))))))),
                 "pkt_malformed"),
    "vxlan-port-without-vni-flag": (lambda ip: ETH(outer4(17, udp(4789, b"\0" * 8 + inner_eth(ip)))), "pkt_not_tcp"),
    "udp-elsewhere": (lambda ip: ETH(outer4(17, udp(53, b"\x08" + b"\0" * 7 + inner_eth(ip)))), "pkt_not_tcp"),
    "gre-version-1": (lambda ip: ETH(outer4(47, gre(0x880B, ip, 0x2001, b"\0" * 4))), "pkt_not_tcp"),
    "vxlan-cut-short": (lambda ip: ETH(VXLAN(4789, ip))[:14 + 20 + 8 + 5], "pkt_truncated"),
}
for name, (fn, counter) in odd.items():
    path = os.path.join(tmp, name + ".pcap")
    write_pcap(path, 1, [(ts, us, fn(ip_of(fr))) for ts, us, fr in recs])
    rc, found, summ = summary(path)
    if rc != 0 or found or summ.get(counter) != n or summ["pkt_tunneled"] != 0 or summ["connections"] != 0:
        failures.append("%s.pcap: exit %d, %d findings, %s %s of %d packets, pkt_tunneled %s" % (
            name, rc, len(found), counter, summ.get(counter), n, summ.get("pkt_tunneled")))
if failures:
    print("\n".join(failures))
    sys.exit(1)
print("tunnels counted; %d kinds of packet that are no tunnel to follow, each counted as such" % len(odd))

# Headers cut short or lying about their length: an Ethernet, IPv4 and
# TCP frame of demo.pcap cut at every length inside its headers is
# truncated; an IPv4 header length under 20 bytes, a TCP data offset under
# 20 bytes or past the segment, and a version that is not 4 are malformed.
first = next(fr for _, _, fr in recs if len(fr) > 54 and fr[12:14] == b"\x08\x00" and fr[23] == 6)
ihl = (first[14] & 0x0f) * 4
tcp_at = 14 + ihl
cuts = {"cut-at-%d" % k: (first[:k], "pkt_truncated") for k in range(14, tcp_at + 20)}


def with_byte(fr, at, v):
    return fr[:at] + bytes([v]) + fr[at + 1:]


cuts["ihl-under-20"] = (with_byte(first, 14, 0x44), "pkt_malformed")
cuts["version-6-in-ipv4"] = (with_byte(first, 14, 0x65), "pkt_malformed")
cuts["tcp-offset-under-20"] = (with_byte(first, tcp_at + 12, 0x40), "pkt_malformed")
cuts["tcp-offset-past-segment"] = (with_byte(first, tcp_at + 12, 0xf0), "pkt_malformed")
for name, (fr, counter) in cuts.items():
    path = os.path.join(tmp, name + ".pcap")
    write_pcap(path, 1, [(1700000000, 0, fr)])
    rc, found, summ = summary(path)
    if rc != 0 or found or summ.get(counter) != 1 or summ["connections"] != 0:
        failures.append("%s.pcap: exit %d, %d findings, %s %s, connections %s" % (
            name, rc, len(found), counter, summ.get(counter), summ.get("connections")))
if failures:
    print("\n".join(failures))
    sys.exit(1)
print("headers cut short at %d lengths counted as truncated, 4 lying headers as malformed" % (tcp_at + 20 - 14))

# Damaged pcapng: what was read before the damage is still reported, the
# message names the file and the damage, and the exit status is 2.
good = os.path.join(tmp, "pcapng-mixed-interfaces.pcapng")
data = open(good, "rb").read()


def epb_offsets(d):
    off, out = 0, []
    while off + 8 <= len(d):
        t, n = struct.unpack("<II", d[off:off + 8])
        if t == 6:
            out.append(off)
        off += n
    return out


epbs = epb_offsets(data)
damaged = {
    "truncated in a block": (data[:-30], "truncated pcapng block"),
    "truncated in a block header": (data[:epbs[-1] + 5], "truncated pcapng block header"),
    "absurd block length": (data[:epbs[-3] + 4] + struct.pack("<I", 0xFFFFFFF0) + data[epbs[-3] + 8:],
                            "absurd pcapng block length"),
    "bad byte-order magic": (data[:8] + b"\x00\x11\x22\x33" + data[12:], "bad pcapng byte-order magic"),
}
for what, (blob, msg) in damaged.items():
    path = os.path.join(tmp, "damaged.pcapng")
    open(path, "wb").write(blob)
    p = subprocess.run([wirelint, path], capture_output=True, timeout=60)
    err, out = p.stderr.decode(errors="replace"), p.stdout.decode(errors="replace")
    ok = p.returncode == 2 and ("wirelint: %s: %s" % (path, msg)) in err
    if what != "bad byte-order magic":
        ok = ok and "[missing-location]" in out
    if not ok:
        failures.append("damaged pcapng, %s: exit %d\n  stderr: %s\n  stdout: %s" % (what, p.returncode, err, out[-300:]))
if failures:
    print("\n".join(failures))
    sys.exit(1)
print("damaged pcapng files: findings before the damage kept, damage named, exit 2")

# Compressed captures.  gzip is read: pcap and pcapng, from a file and
# from standard input, members one after another, the same at every -j,
# and the SARIF report gives no byte offsets (they would be the inflated
# bytes', not the file's).  What is damaged is named, and the findings
# before it are kept; other compressions are named with the command that
# opens them.
import gzip  # noqa: E402


def lint(path, *args, stdin=None):
    p = subprocess.run([wirelint, "--format", "jsonl", "--fail-on", "none", *args, path], input=stdin,
                       capture_output=True, timeout=60)
    found = []
    for line in p.stdout.decode().splitlines():
        o = json.loads(line)
        if o["type"] == "finding":
            found.append("%s %s %s %s" % (o["method"], o["uri"], o["status"], o["rule"]))
    return p.returncode, found, p.stderr.decode(errors="replace")


def gz(name, blob):
    path = os.path.join(tmp, name)
    open(path, "wb").write(blob)
    return path


for name in ("ethernet.pcapng", "vxlan.pcap", "raw.pcap"):
    raw = open(os.path.join(tmp, name), "rb").read()
    path = gz(name + ".gz", gzip.compress(raw))
    half = len(raw) // 2
    for what, (rc, found, err) in (
            ("", lint(path)),
            (" from standard input", lint("-", stdin=open(path, "rb").read())),
            (" in two members", lint(gz(name + ".2.gz", gzip.compress(raw[:half]) + gzip.compress(raw[half:]))))):
        if rc != 0 or found != want:
            failures.append("%s.gz%s: exit %d, %d findings (want %d): %s" % (name, what, rc, len(found), len(want), err))
    sarif = [subprocess.run([wirelint, "-j", j, "--format", "sarif", "--fail-on", "none", path],
                            capture_output=True, timeout=60).stdout for j in ("1", "3")]
    if sarif[0] != sarif[1] or b'"byteOffset"' in sarif[0] or sarif[0].count(b'"ruleId"') != len(want):
        failures.append("%s.gz: SARIF differs between -j 1 and -j 3, or gives byte offsets" % name)
raw = open(os.path.join(tmp, "ethernet.pcapng"), "rb").read()
whole = gzip.compress(raw)
flipped = bytearray(whole)
for i in range(len(whole) // 2, len(whole) // 2 + 16):
    flipped[i] ^= 0x5A
odd = [
    # what, bytes, the message after "wirelint: PATH: ", the rules whose findings must be
    # there (want: every finding)
    ("cut short", whole[:len(whole) * 3 // 4], "the gzip data is cut short (its end is missing)", ["missing-location"]),
    ("damaged", bytes(flipped), "the gzip data is damaged (", []),
    ("followed by zeros", whole + b"\0" * 64, "what follows the gzip data is not gzip", want),
    ("gzip in gzip", gzip.compress(whole), "compressed twice (gzip inside gzip), which wirelint does not read: "
     "decompress it first (gzip -dc FILE | gzip -dc | wirelint -)", []),
    ("zstd", b"\x28\xb5\x2f\xfd" + raw[:100], "compressed with zstd, which wirelint does not read: decompress it "
     "first (zstd -dc FILE | wirelint -)", []),
    ("xz", b"\xfd7zXZ\0" + raw[:100], "compressed with xz, which wirelint does not read", []),
]
for what, blob, msg, keep in odd:
    path = gz("odd.gz", blob)
    rc, found, err = lint(path)
    kept = found == want if keep is want else all(any(f.split()[-1] == k for f in found) for k in keep)
    if rc != 2 or ("wirelint: %s: %s" % (path, msg)) not in err or not kept:
        failures.append("gzip, %s: exit %d, %d findings\n  stderr: %s" % (what, rc, len(found), err))
if failures:
    print("\n".join(failures))
    sys.exit(1)
print("gzip-compressed captures read as the captures themselves; damage and other compressions named, exit 2")
