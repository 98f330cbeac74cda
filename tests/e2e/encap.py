"""Frames for the tests: IP packets wrapped in Ethernet, turned into IPv6, or
carried in tunnels (IP in IP, GRE, ERSPAN, VXLAN, Geneve).  Used by
tests/e2e/linktypes.py and tests/fuzz/make_seeds.py."""
import struct

ETH = lambda ip, et=b"\x08\x00": b"\x02" * 6 + b"\x04" * 6 + et + ip


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


# Tunnels: the same IP packets carried inside IP in IP, GRE, ERSPAN, VXLAN
# and Geneve, as traffic mirroring and overlays deliver them.  The outer
# addresses are other hosts' (a mirror's source and its collector).
def csum(b):
    s = sum(struct.unpack(">%dH" % (len(b) // 2), b[:len(b) // 2 * 2])) + (b[-1] << 8 if len(b) % 2 else 0)
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return 0xFFFF - s


def outer4(proto, payload):
    h = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 7, 0, 64, proto, 0,
                    bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2]))
    return h[:10] + struct.pack(">H", csum(h)) + h[12:] + payload


def outer6(nxt, payload):
    a = lambda n: b"\x20\x01\x0d\xb8" + b"\0" * 11 + bytes([n])  # 2001:db8::n, the documentation prefix
    return struct.pack(">IHBB", 6 << 28, len(payload), nxt, 64) + a(1) + a(2) + payload


def udp(dport, payload):
    return struct.pack(">HHHH", 49152, dport, 8 + len(payload), 0) + payload


def gre(ptype, payload, flags=0, extra=b""):
    return struct.pack(">HH", flags, ptype) + extra + payload


def inner_eth(ip):
    """The mirrored frame: Ethernet with an 802.1Q tag, as a switch's span sends it."""
    return b"\x0a" * 6 + b"\x0b" * 6 + b"\x81\x00\x00\x0c\x08\x00" + ip


VXLAN = lambda port, ip: outer4(17, udp(port, b"\x08\0\0\0" + b"\x00\x10\x01\x00" + inner_eth(ip)))
TUNNELS = {
    "ipip": lambda ip: ETH(outer4(4, ip)),
    "ipv6-in-ipv4": lambda ip: ETH(outer4(41, to_ipv6(ip))),
    "ipv4-in-ipv6": lambda ip: ETH(outer6(4, ip), b"\x86\xdd"),
    "gre": lambda ip: ETH(outer4(47, gre(0x0800, ip))),
    "gre-checksum-key-seq": lambda ip: ETH(outer4(47, gre(0x0800, ip, 0xB000, b"\0" * 4 + b"\0\0\0\x2a" + b"\0\0\0\x01"))),
    "gre-mpls": lambda ip: ETH(outer4(47, gre(0x8847, b"\x00\x01\x41\x40" + ip))),
    "gre-ethernet": lambda ip: ETH(outer4(47, gre(0x6558, inner_eth(ip)))),
    "gre-over-ipv6": lambda ip: ETH(outer6(47, gre(0x86DD, to_ipv6(ip))), b"\x86\xdd"),
    "erspan-1": lambda ip: ETH(outer4(47, gre(0x88BE, inner_eth(ip)))),
    "erspan-2": lambda ip: ETH(outer4(47, gre(0x88BE, b"\x10\x07\x00\x01" + b"\0" * 4 + inner_eth(ip),
                                              0x1000, b"\0\0\0\x05"))),
    "erspan-3": lambda ip: ETH(outer4(47, gre(0x22EB, b"\x20\x07\x00\x01" + b"\0" * 7 + b"\x00" + inner_eth(ip),
                                              0x1000, b"\0\0\0\x05"))),
    "erspan-3-platform": lambda ip: ETH(outer4(47, gre(0x22EB, b"\x20\x07\x00\x01" + b"\0" * 7 + b"\x01" + b"\0" * 8 +
                                                       inner_eth(ip), 0x1000, b"\0\0\0\x05"))),
    "vxlan": lambda ip: ETH(VXLAN(4789, ip)),
    "vxlan-linux-port": lambda ip: ETH(VXLAN(8472, ip)),
    "vxlan-gpe-ip": lambda ip: ETH(outer4(17, udp(4790, b"\x0c\0\0\x01" + b"\x00\x10\x01\x00" + ip))),
    "geneve": lambda ip: ETH(outer4(17, udp(6081, b"\x02\x00\x65\x58" + b"\x00\x10\x01\x00" + b"\0" * 8 + inner_eth(ip)))),
    "geneve-ip": lambda ip: ETH(outer4(17, udp(6081, b"\x00\x00\x08\x00" + b"\x00\x10\x01\x00" + ip))),
    # Four deep, the most that is followed: VXLAN in GRE in IP in IP in IP.
    "nested": lambda ip: ETH(outer4(4, outer4(4, outer4(47, gre(0x0800, VXLAN(4789, ip)))))),
}


def tunneled(pcap):
    """A little-endian Ethernet pcap file's bytes with each IPv4 packet
    carried in a tunnel, the kinds of TUNNELS in turn."""
    kinds, out, off, i = sorted(TUNNELS), [pcap[:24]], 24, 0
    while off + 16 <= len(pcap):
        ts, us, cl, _ = struct.unpack("<IIII", pcap[off:off + 16])
        fr = pcap[off + 16:off + 16 + cl]
        off += 16 + cl
        if fr[12:14] == b"\x08\x00":
            fr = TUNNELS[kinds[i % len(kinds)]](fr[14:])
            i += 1
        out.append(struct.pack("<IIII", ts, us, len(fr), len(fr)) + fr)
    return b"".join(out)
