#!/usr/bin/env python3
"""Writes a large HTTP/1.1 capture for the benchmark: deterministic, by seed.

    gen.py OUT.pcap [--mix small|large|web] [--size MB] [--conns N] [--violations PCT] [--seed N] [--urls N]
                    [--persistent | --per-conn N[-M]] [--drop PCT] [--reorder PCT] [--retransmit PCT]
                    [--tls PCT] [--connect PCT] [--pcapng]

Ethernet + IPv4 + TCP frames of at most 1500 bytes (MSS 1448), as nginx
under a load generator sends them over a 1500-byte MTU: keep-alive
connections, N of them at once with their packets interleaved, each
carrying many transactions (50 to 400 small ones, 5 to 30 large ones,
then it closes and a new one opens; with --persistent the N connections
stay open for the whole capture, as a load generator such as wrk keeps
them; with --per-conn N-M each carries N to M, --per-conn 1 for clients
that open a connection a request); the client's ACKs ride on its next
request.

  small  GETs answered with 200 and a small JSON document (about 200 bytes),
         some 304s and 404s: the per-transaction cost.  Over --urls
         distinct URLs (100000: more than the history remembers, so that
         its table is as cold as it gets; 1 is a load generator's one URL).
  large  responses of 2 KiB to 128 KiB, a third chunked, some with
         Content-Encoding: gzip (the bytes are random): the per-byte cost.
  web    what browsers and a web server exchange, with the header fields
         each really sends: requests of 12 to 18 fields (a cookie, the
         client hints, Sec-Fetch-*), responses of 10 to 16 (Cache-Control,
         Vary, ETag, Set-Cookie...).  A sixth pages (5 to 60 KiB), half
         static assets (1 to 100 KiB, a fifth asked for again and answered
         304), a third the page's API calls (a quarter POSTs answered 201):
         the cost of heads as they come from production, 5 to 60
         transactions a connection.  Its violation is an empty media type.

--violations PCT makes that share of responses break a rule (a 302 without
Location, a 200 without Date, a 204 with content), so the rules report.
--drop PCT leaves that share of the packets out of the file, as a capture
that missed them ("dropped by kernel"): the endpoints had them, so the
sequence and ACK numbers go on as if they were there, and the packets
written are those of the same capture without --drop, less the ones missed.
--reorder PCT holds that share of the segments with content back behind the
next segment of the same direction, as a network reorders them: when the
other direction speaks first (its ACK would say it had the segment), or the
connection ends, the segment held goes out first, in order.  --retransmit
PCT sends that share of the segments with content again, right behind the
first copy, the same bytes.  Neither changes what the endpoints exchanged:
wirelint finds the same transactions and findings as without.
--tls PCT makes that share of the connections carry TLS instead of HTTP,
as most of a production link's traffic is: to port 443, records whose
content is random bytes, a short one from the client and 1 to 16 KiB from
the server by turns (wirelint passes such connections over as not HTTP).
--connect PCT makes that share of the connections CONNECT tunnels through
a forward proxy (port 3128): a CONNECT request and its 200, then TLS as
above inside the tunnel, as a proxy's capture mostly is (wirelint passes
the tunnel's bytes over after the 200).  With --tls too, the two shares
are of all the connections and must add up to below 100.
--pcapng writes the packets as pcapng (a section header, one Ethernet
interface with microsecond times, an Enhanced Packet Block each), as
Wireshark and dumpcap save them, instead of pcap.
The same arguments give the same file, byte for byte.
"""
import argparse
import random
import struct

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--mix", choices=("small", "large", "web"), default="small")
ap.add_argument("--size", type=float, default=100, help="megabytes of capture (1e6 bytes)")
ap.add_argument("--conns", type=int, default=64, help="connections open at once, their packets interleaved")
ap.add_argument("--violations", type=float, default=1.0, help="percent of responses that break a rule")
ap.add_argument("--seed", type=int, default=1, help="the same seed and options give the same file")
ap.add_argument("--urls", type=int, default=100000,
                help="distinct URLs of the small mix (more than the history's 65536 by default; 1 is wrk's one URL)")
ap.add_argument("--persistent", action="store_true",
                help="the connections stay open for the whole capture, as wrk keeps them")
ap.add_argument("--per-conn", metavar="N[-M]",
                help="transactions a connection carries before it closes: N, or N to M "
                     "(default 50-400 small, 5-30 large; 1: a connection a request)")
ap.add_argument("--drop", type=float, default=0.0, metavar="PCT",
                help="percent of the packets the capture misses (the endpoints had them)")
ap.add_argument("--reorder", type=float, default=0.0, metavar="PCT",
                help="percent of the segments with content held back behind the next of the same direction")
ap.add_argument("--retransmit", type=float, default=0.0, metavar="PCT",
                help="percent of the segments with content sent twice")
ap.add_argument("--tls", type=float, default=0.0, metavar="PCT",
                help="percent of the connections that carry TLS (random records to port 443) instead of HTTP")
ap.add_argument("--connect", type=float, default=0.0, metavar="PCT",
                help="percent of the connections that are CONNECT tunnels (to port 3128, TLS inside)")
ap.add_argument("--pcapng", action="store_true", help="write pcapng instead of pcap")
a = ap.parse_args()
for name, pct in (("--drop", a.drop), ("--reorder", a.reorder), ("--retransmit", a.retransmit), ("--tls", a.tls),
                  ("--connect", a.connect)):
    if not 0 <= pct < 100:
        ap.error("%s %g: want a percentage from 0 to below 100" % (name, pct))
if a.tls + a.connect >= 100:
    ap.error("--tls %g and --connect %g: their shares add up to 100 or more" % (a.tls, a.connect))
if not 1 <= a.conns <= 65536:
    ap.error("--conns %d: want 1 to 65536 (each client has an address of its own)" % a.conns)
per_conn = None
if a.per_conn is not None:
    lo, _, hi = a.per_conn.partition("-")
    try:
        per_conn = (int(lo), int(hi or lo))
    except ValueError:
        ap.error("--per-conn %s: want N or N-M, whole numbers" % a.per_conn)
    if per_conn[0] < 1 or per_conn[1] < per_conn[0]:
        ap.error("--per-conn %s: want 1 <= N <= M" % a.per_conn)
    if a.persistent:
        ap.error("--per-conn and --persistent: a persistent connection never closes")
rnd = random.Random(a.seed)
lose = random.Random(a.seed + 0x5eed)  # its own stream: the packets kept are the same as without --drop
net = random.Random(a.seed + 0x0de7)   # likewise for --reorder and --retransmit
MSS = 1448
DATE = b"Date: Mon, 03 Nov 2025 10:00:00 GMT\r\n"
noise = bytes(rnd.getrandbits(8) for _ in range(1 << 20))  # content bytes, reused

out = open(a.out, "wb", buffering=1 << 22)
if a.pcapng:
    # Section Header Block (no options, section length unknown), then an
    # Interface Description Block: Ethernet, snap length 262144, the default
    # microsecond resolution.
    out.write(struct.pack("<IIIHHqI", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1, 28))
    out.write(struct.pack("<IIHHII", 1, 20, 1, 0, 262144, 20))
    written = 48
else:
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
    written = 24
limit = int(a.size * 1e6)
counted = written  # the bytes the size counts: not the copies --retransmit adds
t_us = 1_700_000_000 * 1_000_000


def record_size(payload):
    """The bytes of a frame's record in the file: 14 + 20 + 20 header bytes and the payload."""
    n = 54 + len(payload)
    return 32 + n + (-n % 4) if a.pcapng else 16 + n


def frame(src, dst, sport, dport, seq, ack, flags, payload, count=True):
    global written, counted, t_us
    tcp = struct.pack(">HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 0, 0x4000, 64, 6, 0, src, dst)
    eth = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00"
    pkt = eth + ip + tcp + payload
    t_us += 7
    if a.drop and lose.random() * 100 < a.drop:
        return
    if a.pcapng:
        pad = -len(pkt) % 4
        block = 32 + len(pkt) + pad
        out.write(struct.pack("<IIIIIII", 6, block, 0, t_us >> 32, t_us & 0xFFFFFFFF, len(pkt), len(pkt)))
        out.write(pkt)
        out.write(b"\0" * pad + struct.pack("<I", block))
    else:
        out.write(struct.pack("<IIII", t_us // 1_000_000, t_us % 1_000_000, len(pkt), len(pkt)))
        out.write(pkt)
    written += record_size(payload)
    if count:
        counted += record_size(payload)


class Conn:
    def __init__(self, i):
        self.cli = bytes((10, 1, (i >> 8) & 255, i & 255))
        self.srv = bytes((10, 2, 0, 1))
        self.sport = 20000 + (i % 40000)
        self.cseq = rnd.getrandbits(32)
        self.sseq = rnd.getrandbits(32)
        self.queue = []  # segments still to send: (from_client, payload)
        self.opened = False
        if per_conn:
            self.left = rnd.randint(*per_conn)
        else:
            lo, hi = {"small": (50, 400), "large": (5, 30), "web": (5, 60)}[a.mix]
            self.left = rnd.randint(lo, hi)
        if a.persistent:
            self.left = -1  # never reaches 0: the connection stays open
        self.held = None  # --reorder: (from_client, frame's arguments) of a segment held back
        self.tls = a.tls and rnd.random() * 100 < a.tls
        self.tls_started = False
        # --connect's share is of all the connections: of those not TLS, its part.
        self.tunnel = bool(not self.tls and a.connect and rnd.random() * (100 - a.tls) < a.connect)
        self.tunnel_open = False
        self.port = 443 if self.tls else 3128 if self.tunnel else 80

    def send(self, from_client, payload, flags=0x18):
        if from_client:
            f = (self.cli, self.srv, self.sport, self.port, self.cseq, self.sseq, flags, payload)
            self.cseq += len(payload)
        else:
            f = (self.srv, self.cli, self.port, self.sport, self.sseq, self.cseq, flags, payload)
            self.sseq += len(payload)
        # The other direction, or a segment without content (a FIN): what
        # was held goes first, as the peer's ACK would show it had it.
        if self.held and (self.held[0] != from_client or not payload):
            self.flush()
        if payload and not self.held and a.reorder and net.random() * 100 < a.reorder:
            global counted
            counted += record_size(payload)  # counted when sent, so the capture ends where it would
            self.held = (from_client, f)
            return
        frame(*f)
        if payload and a.retransmit and net.random() * 100 < a.retransmit:
            frame(*f, count=False)
        self.flush()  # the segment held goes out behind the one sent after it

    def flush(self):
        if self.held:
            frame(*self.held[1], count=False)
            self.held = None


n_txn = 0


def tls_records(c):
    """Queues a TLS exchange: a record from the client (a handshake one first), then one of 1 to 16 KiB back."""
    hello = not c.tls_started
    c.tls_started = True

    def rec(rtype, n):
        off = rnd.randrange(len(noise) - n)
        return bytes((rtype, 3, 3, n >> 8, n & 255)) + noise[off:off + n]
    c.queue.append((True, rec(0x16 if hello else 0x17, rnd.randint(100, 600))))
    out = rec(0x17, rnd.randint(1024, 16384))
    for i in range(0, len(out), MSS):
        c.queue.append((False, out[i:i + MSS]))


WEB_UA = (b"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          b"Chrome/130.0.0.0 Safari/537.36")
WEB_CH = (b'sec-ch-ua: "Chromium";v="130", "Google Chrome";v="130", "Not?A_Brand";v="99"\r\n'
          b"sec-ch-ua-mobile: ?0\r\nsec-ch-ua-platform: \"Windows\"\r\n")
WEB_SECURITY = (b"X-Content-Type-Options: nosniff\r\nX-Frame-Options: SAMEORIGIN\r\n"
                b"Referrer-Policy: strict-origin-when-cross-origin\r\n")
WEB_ASSETS = ((b"css", b"text/css"), (b"js", b"application/javascript"), (b"png", b"image/png"),
              (b"woff2", b"font/woff2"), (b"svg", b"image/svg+xml"))


def web_transaction(k, bad):
    """A browser's request and a web server's response, with the header fields each really sends.

    A sixth are pages (HTML of 5 to 60 KiB, gzip), half static assets (1 to
    100 KiB, a fifth of them asked for again and answered 304), a third the
    page's JSON API calls (0.3 to 8 KiB).  Requests carry 12 to 18 fields
    (700 to 1100 bytes, a cookie among them), responses 10 to 16."""
    r = rnd.random()
    cookie = b"Cookie: session=%032x; _ga=GA1.2.%d.%d; cart=%d; consent=analytics%%3Dyes%%26ads%%3Dno\r\n" % (
        k * 2654435761 & ((1 << 128) - 1), k % 999999937, 1700000000 + k % 86400, k % 97)
    common = (b"Host: shop.example\r\nConnection: keep-alive\r\n" + WEB_CH + b"User-Agent: " + WEB_UA + b"\r\n")
    lang = b"Accept-Encoding: gzip, deflate, br, zstd\r\nAccept-Language: en-US,en;q=0.9,de;q=0.8\r\n"
    asset = k % 3000  # an asset's validators are its own, the same each time it is asked for
    etag = b'"%x-%x"' % (asset, asset * 40503 % 65536)
    lastmod = b"Last-Modified: Tue, 28 Oct 2025 08:%02d:%02d GMT\r\n" % (asset % 60, asset // 60 % 60)
    if r < 0.16:
        path = b"/products/%d?ref=%s" % (k % 20000, (b"home", b"search", b"mail")[k % 3])
        req = (b"GET " + path + b" HTTP/1.1\r\n" + common + b"Upgrade-Insecure-Requests: 1\r\n"
               b"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
               b"image/apng,*/*;q=0.8\r\nSec-Fetch-Site: same-origin\r\nSec-Fetch-Mode: navigate\r\n"
               b"Sec-Fetch-User: ?1\r\nSec-Fetch-Dest: document\r\nReferer: https://shop.example/\r\n"
               + lang + cookie + b"\r\n")
        size = int(5120 * (12 ** rnd.random()))
        off = rnd.randrange(len(noise) - size)
        fields = (b"Content-Type: text/html; charset=utf-8\r\nVary: Accept-Encoding\r\n"
                  b"Cache-Control: private, no-cache\r\nContent-Encoding: gzip\r\n" + WEB_SECURITY +
                  b"Set-Cookie: session=%032x; Path=/; HttpOnly; Secure; SameSite=Lax\r\n"
                  % (k * 40503 & ((1 << 128) - 1)))
        status = b"200 OK"
    elif r < 0.66:
        ext, ctype = WEB_ASSETS[asset % len(WEB_ASSETS)]
        path = b"/static/%s/app.%08x.%s" % (ext, asset, ext)
        again = rnd.random() < 0.2
        cond = b"If-None-Match: " + etag + b"\r\nIf-Modified-Since: Tue, 28 Oct 2025 08:00:00 GMT\r\n"
        req = (b"GET " + path + b" HTTP/1.1\r\n" + common + b"Accept: */*\r\nSec-Fetch-Site: same-origin\r\n"
               b"Sec-Fetch-Mode: no-cors\r\nSec-Fetch-Dest: " + (b"style" if ext == b"css" else b"script"
               if ext == b"js" else b"image" if ext in (b"png", b"svg") else b"font") +
               b"\r\nReferer: https://shop.example/products/%d\r\n" % (k % 20000) + lang + cookie +
               (cond if again and not bad else b"") + b"\r\n")
        if again and not bad:
            head = (b"HTTP/1.1 304 Not Modified\r\nServer: nginx\r\n" + DATE + lastmod +
                    b"Connection: keep-alive\r\nETag: " + etag + b"\r\n"
                    b"Cache-Control: public, max-age=31536000, immutable\r\nVary: Accept-Encoding\r\n\r\n")
            return req, head
        own = random.Random(asset)  # its size and bytes are its own too
        size = int(1024 * (100 ** own.random()))
        off = own.randrange(len(noise) - size)
        fields = (b"Content-Type: " + ctype + b"\r\n" + lastmod + b"ETag: " + etag + b"\r\n"
                  b"Cache-Control: public, max-age=31536000, immutable\r\nAccept-Ranges: bytes\r\n"
                  b"Vary: Accept-Encoding\r\nX-Content-Type-Options: nosniff\r\n"
                  b"Access-Control-Allow-Origin: *\r\n")
        status = b"200 OK"
    else:
        path = b"/api/v2/cart/%d/items?page=%d" % (k % 97, k % 5)
        post = rnd.random() < 0.25
        body_out = b'{"sku":"A-%06d","qty":%d}' % (k % 1000000, 1 + k % 4) if post else b""
        req = ((b"POST " if post else b"GET ") + path + b" HTTP/1.1\r\n" + common +
               b"Accept: application/json, text/plain, */*\r\nSec-Fetch-Site: same-origin\r\n"
               b"Sec-Fetch-Mode: cors\r\nSec-Fetch-Dest: empty\r\nOrigin: https://shop.example\r\n"
               b"Referer: https://shop.example/products/%d\r\n" % (k % 20000) + lang + cookie +
               (b"Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body_out) if post else b"")
               + b"X-Requested-With: XMLHttpRequest\r\n\r\n" + body_out)
        size = int(300 * (27 ** rnd.random()))
        off = rnd.randrange(len(noise) - size)
        fields = (b"Content-Type: application/json; charset=utf-8\r\nCache-Control: no-store\r\n"
                  b"Vary: Origin, Accept-Encoding\r\nAccess-Control-Allow-Origin: https://shop.example\r\n"
                  b"Access-Control-Allow-Credentials: true\r\n" + WEB_SECURITY +
                  b"X-Request-Id: %016x\r\n" % (k * 11400714819323198485 & ((1 << 64) - 1)))
        status = b"201 Created\r\nLocation: /api/v2/cart/%d/items/%d" % (k % 97, k % 1000) if post else b"200 OK"
    body = noise[off:off + size]
    if b"Content-Encoding: gzip" in fields:
        body = b"\x1f\x8b\x08\x00" + body[4:]  # gzip's magic and method; the rest is noise, not inflated
    if bad:
        fields = fields.replace(b"Content-Type: ", b"Content-Type:  ;", 1)  # an empty media type
    head = (b"HTTP/1.1 " + status + b"\r\nServer: nginx\r\n" + DATE + fields +
            b"Content-Length: %d\r\nConnection: keep-alive\r\n\r\n" % len(body))
    return req, head + body


def transaction(c):
    """Queues one request and its response, cut into MSS-sized segments."""
    global n_txn
    if c.tunnel and not c.tunnel_open:
        n_txn += 1
        c.tunnel_open = True
        host = b"t%d.test:443" % c.sport
        c.queue.append((True, b"CONNECT " + host + b" HTTP/1.1\r\nHost: " + host + b"\r\nUser-Agent: wrk\r\n\r\n"))
        c.queue.append((False, b"HTTP/1.1 200 Connection Established\r\n\r\n"))
    if c.tls or c.tunnel:
        tls_records(c)
        return
    n_txn += 1
    k = rnd.randrange(1 << 30)
    bad = rnd.random() * 100 < a.violations
    if a.mix == "small":
        path = b"/api/items/%d" % (k % a.urls)
        r = rnd.random()
        cond = b'If-None-Match: "%x"\r\n' % k if r < 0.08 and not bad else b""
        req = b"GET " + path + b" HTTP/1.1\r\nHost: bench.test\r\nUser-Agent: wrk\r\nAccept: */*\r\n" + cond + b"\r\n"
        if bad:
            kind = rnd.randrange(3)
            if kind == 0:
                resp = b"HTTP/1.1 302 Found\r\nServer: nginx\r\n" + DATE + b"Content-Length: 0\r\n\r\n"
            elif kind == 1:
                body = b'{"id":%d}' % k
                resp = (b"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                        % len(body)) + body
            else:
                resp = b"HTTP/1.1 204 No Content\r\nServer: nginx\r\n" + DATE + b"Content-Length: 2\r\n\r\nok"
        elif r < 0.08:
            resp = b"HTTP/1.1 304 Not Modified\r\nServer: nginx\r\n" + DATE + b'ETag: "%x"\r\n\r\n' % k
        elif r < 0.12:
            body = b"<html><body>not found</body></html>"
            resp = (b"HTTP/1.1 404 Not Found\r\nServer: nginx\r\n" + DATE +
                    b"Content-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        else:
            body = b'{"id":%d,"name":"item %d","price":%d.%02d,"tags":["a","b","c"],"stock":%d,"updated":"2025-11-03T10:00:00Z"}' % (
                k, k, k % 1000, k % 100, k % 50)
            body = body + b" " * (60 + k % 80)
            resp = (b"HTTP/1.1 200 OK\r\nServer: nginx\r\n" + DATE + b"Content-Type: application/json\r\n"
                    b"Content-Length: %d\r\nConnection: keep-alive\r\nETag: \"%x\"\r\n\r\n" % (len(body), k) + body)
    elif a.mix == "web":
        req, resp = web_transaction(k, bad)
    else:
        path = b"/static/blob-%d.bin" % (k % 5000)
        req = b"GET " + path + b" HTTP/1.1\r\nHost: bench.test\r\nAccept-Encoding: gzip\r\n\r\n"
        size = int(2048 * (64 ** rnd.random()))  # 2 KiB .. 128 KiB, log-uniform
        off = rnd.randrange(len(noise) - size)
        body = noise[off:off + size]
        head = b"HTTP/1.1 200 OK\r\nServer: nginx\r\n" + (b"" if bad else DATE) + b"Content-Type: application/octet-stream\r\n"
        if rnd.random() < 0.3:
            head += b"Content-Encoding: gzip\r\n"
        if rnd.random() < 0.33:
            chunks, i = [], 0
            while i < len(body):
                n = min(len(body) - i, 8192)
                chunks.append(b"%x\r\n" % n + body[i:i + n] + b"\r\n")
                i += n
            resp = head + b"Transfer-Encoding: chunked\r\n\r\n" + b"".join(chunks) + b"0\r\n\r\n"
        else:
            resp = head + b"Content-Length: %d\r\n\r\n" % len(body) + body
    c.queue.append((True, req))
    for i in range(0, len(resp), MSS):
        c.queue.append((False, resp[i:i + MSS]))


conns = [Conn(i) for i in range(a.conns)]
next_id = a.conns
while counted < limit:
    c = rnd.choice(conns)
    if not c.opened:
        c.send(True, b"", 0x02)
        c.cseq += 1
        c.send(False, b"", 0x12)
        c.sseq += 1
        c.opened = True
    if not c.queue:
        if c.left == 0:
            c.send(True, b"", 0x11)
            c.cseq += 1
            c.send(False, b"", 0x11)
            c.sseq += 1
            conns[conns.index(c)] = Conn(next_id)
            next_id += 1
            continue
        c.left -= 1
        transaction(c)
    # A few segments of this connection, then another's.
    for _ in range(rnd.randint(1, 4)):
        if not c.queue:
            break
        from_client, payload = c.queue.pop(0)
        c.send(from_client, payload)
for c in conns:
    c.flush()
out.close()
print("%s: %.1f MB, %d transactions" % (a.out, written / 1e6, n_txn))
