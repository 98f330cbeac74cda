#!/usr/bin/env python3
"""The same traffic in every supported encapsulation gives the same findings.

Rewrites captures/demo.pcap (Ethernet, IPv4) frame by frame into: Ethernet
with an 802.1Q tag, with QinQ tags, with an MPLS label; Linux cooked v1 and
v2; BSD loopback (NULL, both byte orders) and LOOP; raw IP; IPv6 instead of
IPv4; and pcapng instead of pcap.  Each variant must give exactly the
findings of demo.expect.  The files are made here, in a temporary folder.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

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


def write_pcapng(path, dlt, frames):
    def block(btype, body):
        body = pad4(body)
        n = 12 + len(body)
        return struct.pack("<II", btype, n) + body + struct.pack("<I", n)
    with open(path, "wb") as f:
        f.write(block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))
        f.write(block(1, struct.pack("<HHI", dlt, 0, 262144)))
        for ts, us, fr in frames:
            t = ts * 1000000 + us
            f.write(block(6, struct.pack("<IIIII", 0, t >> 32, t & 0xFFFFFFFF, len(fr), len(fr)) + pad4(fr)))


def ip_of(frame):
    """The IP packet inside an untagged Ethernet frame."""
    assert frame[12:14] == b"\x08\x00"
    return frame[14:]


def to_ipv6(ip4):
    ihl = (ip4[0] & 15) * 4
    total = struct.unpack(">H", ip4[2:4])[0]
    payload = ip4[ihl:total]
    src, dst = ip4[12:16], ip4[16:20]
    v6 = lambda a: b"\xfd\x00" + b"\0" * 10 + a  # fd00::a.b.c.d, a unique-local prefix
    # A destination-options extension header first, to exercise the skipping.
    ext = bytes([6, 0]) + b"\x01\x04\0\0\0\0"
    hdr = struct.pack(">IHBB", 6 << 28, len(payload) + len(ext), 60, 64) + v6(src) + v6(dst)
    return hdr + ext + payload


ETH = lambda ip, et=b"\x08\x00": b"\x02" * 6 + b"\x04" * 6 + et + ip
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

recs = read_pcap(SRC)
want = [l for l in open(EXPECT).read().splitlines() if l.strip()]
tmp = tempfile.mkdtemp()
failures = []
cases = [(name, dlt, fn, fmt) for name, (dlt, fn) in variants.items() for fmt in ("pcap", "pcapng")]
cases.append(("ethernet", 1, lambda ip: ETH(ip), "pcapng"))
for name, dlt, fn, fmt in cases:
    frames = [(ts, us, fn(ip_of(fr))) for ts, us, fr in recs]
    path = os.path.join(tmp, "%s.%s" % (name, fmt))
    (write_pcap if fmt == "pcap" else write_pcapng)(path, dlt, frames)
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
print("%d encapsulations give the expected %d findings" % (len(cases), len(want)))
