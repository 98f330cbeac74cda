#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, from captures/.

    make_seeds.py OUTDIR
OUTDIR/capture/: every capture file as it is, demo.pcap's packets
carried in tunnels (each kind of tests/e2e/encap.py's in turn), and
demo.pcap gzip-compressed.
OUTDIR/http/: each HTTP connection of each capture, as fuzz_http takes it
(a control byte, the client stream's length, the client bytes, the server
bytes), reassembled from the packets in capture order.
"""
import collections
import glob
import gzip
import os
import shutil
import struct
import sys

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(root, "tests", "e2e"))
from encap import tunneled  # noqa: E402
out = sys.argv[1]
os.makedirs(os.path.join(out, "capture"), exist_ok=True)
os.makedirs(os.path.join(out, "http"), exist_ok=True)
os.makedirs(os.path.join(out, "rules"), exist_ok=True)
# The rules parser: the built-in rules file, one rule of each shape, a config.
shutil.copy(os.path.join(root, "rules", "builtin.yaml"), os.path.join(out, "rules", "builtin.yaml"))
for i, text in enumerate([
        "rules:\n  - id: r\n    severity: info\n    summary: s\n    when: { status: 4xx, method: [GET], version: '1.0', "
        "request: { Range: absent }, body: present, body-min: 1 }\n    require: { response: { X: '/a+/i', Y: '!/b/' } }\n"
        "    message: m {status} {method}\n",
        "rules: [disable, enable]\nenable: [a-*]\ndisable: b\nseverity: { c: error }\n"]):
    open(os.path.join(out, "rules", "seed-%d.yaml" % i), "w").write(text)
n = 0
for pcap in sorted(glob.glob(os.path.join(root, "captures", "*.pcap"))):
    shutil.copy(pcap, os.path.join(out, "capture", os.path.basename(pcap)))
    d = open(pcap, "rb").read()
    off = 24
    flows = collections.OrderedDict()
    while off + 16 <= len(d):
        _, _, cl, _ = struct.unpack("<IIII", d[off:off + 16])
        fr = d[off + 16:off + 16 + cl]
        off += 16 + cl
        if len(fr) < 54 or fr[12:14] != b"\x08\x00" or fr[23] != 6:
            continue
        ihl = (fr[14] & 15) * 4
        tcp = 14 + ihl
        sport, dport = struct.unpack(">HH", fr[tcp:tcp + 4])
        thl = (fr[tcp + 12] >> 4) * 4
        total = struct.unpack(">H", fr[16:18])[0]
        payload = fr[tcp + thl:14 + total]
        key = tuple(sorted([sport, dport]))
        c = flows.setdefault(key, {"client": None, "c": b"", "s": b""})
        if c["client"] is None and payload:
            c["client"] = sport if not payload.startswith(b"HTTP/") else dport
        if payload:
            c["c" if sport == c["client"] else "s"] += payload
    for i, c in enumerate(flows.values()):
        blob = bytes([i % 64]) + struct.pack(">H", len(c["c"]) & 0xFFFF) + c["c"][:0xFFFF] + c["s"]
        open(os.path.join(out, "http", "%s-%d" % (os.path.basename(pcap)[:-5], i)), "wb").write(blob[:65536])
        n += 1
# The demo's packets in tunnels, a kind each in turn, so that the decoder's
# tunnel paths start out covered.
d = open(os.path.join(root, "captures", "demo.pcap"), "rb").read()
open(os.path.join(out, "capture", "tunnels.pcap"), "wb").write(tunneled(d))
open(os.path.join(out, "capture", "demo.pcap.gz"), "wb").write(gzip.compress(d, mtime=0))
print("seeds: %d captures, %d connections" % (len(glob.glob(os.path.join(out, "capture", "*"))), n))
