#!/usr/bin/env python3
"""Builds a pcap from a .case file: a short, readable description of TCP
segments, so each edge case of reassembly and HTTP framing is one small test.

    mkpcap.py CASE OUT.pcap

A .case file is a list of lines ('#' starts a comment):

    conn NAME CLIENT SERVER [nosyn] [isn=C,S] [v6]
        a connection, e.g. conn a 10.0.0.1:40000 10.0.0.2:80; its three-way
        handshake is sent at once unless nosyn; isn= sets the initial
        sequence numbers (to test wrapping past 2^32)
    NAME c|s "BYTES" [options]
        the client (c) or server (s) sends BYTES (Python escapes: \\r\\n,
        \\x00) as one segment, or as several with split=; options:
          fill=N       N bytes more after BYTES ("0123456789" over and
                       over: a body too long to write out)
          split=N      segments of N bytes
          order=L      send the segments in this order (1-based, e.g. 3,1,2)
          drop=L       never send these segments (a hole that never fills)
          dup=L        send these segments twice (retransmission)
          alter=L      the second copy of these segments (with dup=) has
                       different bytes (every byte + 1)
          snap=N       capture only N payload bytes of each segment
          fin          FIN on the last segment
          syn          the bytes ride on the SYN (client only, with nosyn)
          acks=K       acknowledge the peer's bytes only up to the end of
                       its K-th line of bytes on this connection (a peer
                       whose later bytes had not arrived yet)
          frag=N       send each segment's IPv4 packet as fragments of N
                       payload bytes (a multiple of 8)
          fragorder=reverse   send the fragments last first
          fragdrop=L   never send these fragments (1-based)
    NAME c|s fin|rst     a bare FIN or RST
    NAME c syn           a SYN alone (a new connection on the same ports)
    NAME s synack        a SYN-ACK alone
    wait SECONDS         advance capture time
    #!args ARG...        the arguments wirelint is run with on this case

Each packet is 1 ms after the one before, from 2024-01-01T00:00:00Z.
Frames are Ethernet + IPv4 (IPv6 with v6), checksums zero.  Every segment
but a SYN acknowledges all the peer has sent so far, dropped segments
included: a segment dropped is one the capture missed, not the receiver.
"""
import codecs
import shlex
import struct
import sys

T0 = 1704067200


class Conn:
    def __init__(self, client, server, isn, v6):
        self.client, self.server, self.v6 = client, server, v6
        self.seq = {"c": isn[0], "s": isn[1]}
        self.ends = {"c": [], "s": []}  # where each line of bytes of a side ended


def addr(s):
    host, port = s.rsplit(":", 1)
    return host.strip("[]"), int(port)


def ip_bytes(host, v6):
    if v6:
        import ipaddress
        return ipaddress.IPv6Address(host).packed
    return bytes(int(x) for x in host.split("."))


def fragments(full, size, order, drop):
    """Splits the IPv4 packet in an Ethernet frame into fragments (RFC 791)."""
    eth, ip = full[:14], full[14:]
    hdr, data = ip[:20], ip[20:]
    pieces = []
    for off in range(0, len(data), size):
        chunk = data[off:off + size]
        more = off + size < len(data)
        h = bytearray(hdr)
        h[2:4] = struct.pack(">H", 20 + len(chunk))
        h[4:6] = struct.pack(">H", 0x1234)
        h[6:8] = struct.pack(">H", (0x2000 if more else 0) | (off // 8))
        pieces.append(eth + bytes(h) + chunk)
    idx = list(range(len(pieces)))
    if order == "reverse":
        idx.reverse()
    return [(pieces[i], len(pieces[i])) for i in idx if i + 1 not in drop]


def frame(conn, side, seq, flags, payload, snap=None, acks=None):
    src, dst = (conn.client, conn.server) if side == "c" else (conn.server, conn.client)
    (sh, sp), (dh, dp) = addr(src), addr(dst)
    peer = "s" if side == "c" else "c"
    ack = (conn.ends[peer][acks - 1] if acks else conn.seq[peer]) if flags & ACK else 0
    tcp = struct.pack(">HHIIBBHHH", sp, dp, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0)
    if conn.v6:
        ip = struct.pack(">IHBB", 6 << 28, len(tcp) + len(payload), 6, 64) + ip_bytes(sh, True) + ip_bytes(dh, True)
        eth = b"\x02" * 6 + b"\x04" * 6 + b"\x86\xdd"
    else:
        ip = struct.pack(">BBHHHBBH", 0x45, 0, 20 + len(tcp) + len(payload), 0, 0, 64, 6, 0) + ip_bytes(sh, False) + ip_bytes(dh, False)
        eth = b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00"
    full = eth + ip + tcp + payload
    cap = full if snap is None else full[: len(full) - len(payload) + min(snap, len(payload))]
    return cap, len(full)


FIN, SYN, RST, PSH, ACK = 1, 2, 4, 8, 16


def build(lines):
    conns, out, t = {}, [], [0]

    def emit(f):
        cap, wire = f
        us = t[0]
        out.append((T0 + us // 1000000, us % 1000000, cap, wire))
        t[0] += 1000

    for raw in lines:
        w = shlex.split(raw, comments=True, posix=True)
        if not w:
            continue
        if w[0] == "conn":
            opts = w[4:]
            isn = (1000, 5000)
            for o in opts:
                if o.startswith("isn="):
                    isn = tuple(int(x, 0) for x in o[4:].split(","))
            c = Conn(w[2], w[3], isn, "v6" in opts)
            conns[w[1]] = c
            if "nosyn" not in opts:
                emit(frame(c, "c", c.seq["c"] - 1, SYN, b""))
                emit(frame(c, "s", c.seq["s"] - 1, SYN | ACK, b""))
                emit(frame(c, "c", c.seq["c"], ACK, b""))
            continue
        if w[0] == "wait":
            t[0] += int(float(w[1]) * 1000000)
            continue
        c, side = conns[w[0]], w[1]
        if w[2] in ("fin", "rst"):
            emit(frame(c, side, c.seq[side], (FIN if w[2] == "fin" else RST) | ACK, b""))
            if w[2] == "fin":
                c.seq[side] += 1
            continue
        if w[2] == "syn":
            c.seq[side] += 100000
            emit(frame(c, side, c.seq[side] - 1, SYN, b""))
            continue
        if w[2] == "synack":
            emit(frame(c, side, c.seq[side] - 1, SYN | ACK, b""))
            continue
        data = codecs.decode(w[2], "unicode_escape").encode("latin-1")
        opts = dict((o.split("=", 1) + [""])[:2] for o in w[3:])
        if "fill" in opts:
            data += (b"0123456789" * (int(opts["fill"]) // 10 + 1))[:int(opts["fill"])]
        step = int(opts.get("split") or len(data) or 1)
        segs = [(i, data[i:i + step]) for i in range(0, len(data), step)] or [(0, b"")]
        lst = lambda k: [int(x) for x in opts[k].split(",")] if opts.get(k) else []
        order = lst("order") or list(range(1, len(segs) + 1))
        drop, dup, alter = set(lst("drop")), set(lst("dup")), set(lst("alter"))
        snap = int(opts["snap"]) if "snap" in opts else None
        base = c.seq[side]
        if "syn" in opts:
            emit(frame(c, side, base - 1, SYN, data))
            c.seq[side] += len(data)
            continue
        for k in order:
            if k in drop:
                continue
            off, chunk = segs[k - 1]
            flags = ACK | PSH | (FIN if "fin" in opts and k == len(segs) else 0)
            if "frag" in opts:
                full, _ = frame(c, side, base + off, flags, chunk)
                for fr in fragments(full, int(opts["frag"]), opts.get("fragorder"), set(lst("fragdrop"))):
                    emit(fr)
                continue
            emit(frame(c, side, base + off, flags, chunk, snap, int(opts["acks"]) if "acks" in opts else None))
            if k in dup:
                again = bytes((b + 1) & 0xFF for b in chunk) if k in alter else chunk
                emit(frame(c, side, base + off, flags, again, snap))
        c.seq[side] += len(data) + (1 if "fin" in opts else 0)
        c.ends[side].append(c.seq[side])
    return out


def write(path, recs):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for s, us, cap, wire in recs:
            f.write(struct.pack("<IIII", s, us, len(cap), wire) + cap)


def from_case(case, pcap):
    """Writes the capture of the .case file case to pcap; returns the case's #!args (a list)."""
    text = open(case).read()
    write(pcap, build(text.splitlines()))
    args = []
    for line in text.splitlines():
        if line.startswith("#!args "):
            args = line.split()[1:]
    return args


if __name__ == "__main__":
    write(sys.argv[2], build(open(sys.argv[1]).read().splitlines()))
