#!/usr/bin/env python3
"""bench/load, the wrk-like load generator bench/record_nginx.sh records under (docs/performance.md).

A server of this script's own on 127.0.0.1 (an ephemeral port, stopped at
the end whatever happens) answers each request with a Content-Length
body, its head and body written apart so that load reads a response in
pieces.  load asks exactly the number of requests it was told, over
exactly the number of connections, each request "GET PATH HTTP/1.1" with
the Host it connected to, one at a time on a connection; with a list of
paths each connection asks for them in turn, from its own; with -z each
request says "Accept-Encoding: gzip".  It reads bodies larger than its
buffer, framed by Content-Length or chunked (chunks and their sizes
written in pieces), and opens a new connection after a response that
says "Connection: close".  It stops with status 1 and a message on a
response framed neither way, on a server that closes the connection
without answering, and on a port nothing listens on, and with status 2
on bad arguments.

    bench_load.py BUILD_DIR
"""
import os
import socket
import socketserver
import subprocess
import sys
import threading
import time

from e2e_checks import check, finish

load = os.path.join(sys.argv[1], "bench", "load")


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, answer):
        # "length", "big" (a body larger than load's buffer), "chunked",
        # "close-after-3" (Content-Length, and "Connection: close" on a
        # connection's third response), "no-length", or "close" (closes
        # without answering)
        self.answer = answer
        self.lock = threading.Lock()
        self.requests = []       # (connection number, request head)
        self.connections = 0
        self.overlapped = False  # a request came before the one before it was answered
        super().__init__(("127.0.0.1", 0), Handler)


def pieces(data, n):
    """data cut in pieces of n bytes, for the server to write apart, so that load reads them apart."""
    return [data[i:i + n] for i in range(0, len(data), n)]


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        srv = self.server
        with srv.lock:
            srv.connections += 1
            conn = srv.connections
        buf = b""
        answered = 0
        while True:
            while b"\r\n\r\n" not in buf:
                data = self.request.recv(65536)
                if not data:
                    return
                buf += data
            head, buf = buf.split(b"\r\n\r\n", 1)
            if buf:
                srv.overlapped = True
            with srv.lock:
                srv.requests.append((conn, head.decode("latin-1")))
            answered += 1
            body = b"hello"
            if srv.answer == "close":
                return
            if srv.answer in ("length", "close-after-3"):
                closes = srv.answer == "close-after-3" and answered == 3
                self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n"
                                     % (len(body), b"Connection: close\r\n" if closes else b""))
                self.request.sendall(body)
                if closes:
                    return
            elif srv.answer == "big":
                body = bytes(range(256)) * 800   # 204800 bytes, more than load's 64 KiB
                self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body))
                for p in pieces(body, 50000):
                    self.request.sendall(p)
            elif srv.answer == "chunked":
                # A chunk larger than load's buffer, sizes in either case
                # of hex, an extension, and the CRLFs written apart.
                out = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                       b"5\r\nhello\r\n" + b"1ABF0;x=y\r\n" + b"z" * 0x1abf0 + b"\r\n"
                       b"a\r\n0123456789\r\n0\r\n\r\n")
                for p in pieces(out, 30001):
                    self.request.sendall(p)
                    time.sleep(0.001)
            else:
                self.request.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + body)
                return


def serve(answer):
    srv = Server(answer)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def run(*args):
    return subprocess.run([load, *map(str, args)], capture_output=True, text=True, timeout=60)


srv = serve("length")
try:
    port = srv.server_address[1]
    r = run(port, 4, 100)
    check(r.returncode == 0, "load ran: rc %d, %s" % (r.returncode, r.stderr))
    check(len(srv.requests) == 100, "100 requests asked, got %d" % len(srv.requests))
    check(srv.connections == 4, "over 4 connections, got %d" % srv.connections)
    want = "GET / HTTP/1.1\r\nHost: 127.0.0.1:%d" % port
    check(all(h == want for _, h in srv.requests), "every request is %r" % want)
    check(not srv.overlapped, "one request at a time on a connection")
    check(len({c for c, _ in srv.requests}) >= 2, "requests spread over the connections")

    srv.requests.clear()
    r = run(port, 1, 3, "/a?b=c")
    check(r.returncode == 0 and [h.split("\r\n")[0] for _, h in srv.requests] == ["GET /a?b=c HTTP/1.1"] * 3,
          "the path asked for: rc %d, %r" % (r.returncode, srv.requests))

    srv.requests.clear()
    r = run(port, 2, 7, "/a,/b,/c")
    by_conn = {}
    for c, h in srv.requests:
        by_conn.setdefault(c, []).append(h.split("\r\n")[0].split()[1])
    paths = ["/a", "/b", "/c"]
    check(r.returncode == 0 and len(srv.requests) == 7
          and all(ps == [paths[(paths.index(ps[0]) + i) % 3] for i in range(len(ps))] for ps in by_conn.values())
          and {ps[0] for ps in by_conn.values()} == {"/a", "/b"},
          "each connection asks for the paths in turn, from its own: rc %d, %r" % (r.returncode, by_conn))

    srv.requests.clear()
    r = run("-z", port, 1, 2)
    check(r.returncode == 0 and [h for _, h in srv.requests] == [want + "\r\nAccept-Encoding: gzip"] * 2,
          "-z asks for gzip: rc %d, %r" % (r.returncode, srv.requests))

    for bad in [(port, 0, 1), (0, 1, 1), (port, 1, 0), (port, 1), (port, 1, 1, "/" + "x" * 300)]:
        r = run(*bad)
        check(r.returncode == 2 and r.stderr.startswith(("usage: load", "load: PORT")),
              "bad arguments %r refused: rc %d, %r" % (bad[:3], r.returncode, r.stderr))
finally:
    srv.shutdown()
    srv.server_close()

for answer, conns, asked, opened in [("big", 2, 6, 2), ("chunked", 2, 6, 2), ("close-after-3", 1, 9, 3)]:
    srv = serve(answer)
    try:
        r = run(srv.server_address[1], conns, asked)
        check(r.returncode == 0 and r.stderr == "" and len(srv.requests) == asked and srv.connections == opened
              and not srv.overlapped,
              "%s: %d requests over %d connections, one at a time: rc %d, %d requests, %d connections, %r"
              % (answer, asked, opened, r.returncode, len(srv.requests), srv.connections, r.stderr))
    finally:
        srv.shutdown()
        srv.server_close()

for answer, said in [("no-length", "load: a response framed neither by Content-Length nor as chunked\n"),
                    ("close", "load: the server closed the connection\n")]:
    srv = serve(answer)
    try:
        r = run(srv.server_address[1], 1, 5)
        check(r.returncode == 1 and r.stderr == said,
              "%s stops it with %r: rc %d, %r" % (answer, said, r.returncode, r.stderr))
    finally:
        srv.shutdown()
        srv.server_close()

# A port nothing listens on: one this process had and gave back.
s = socket.socket()
s.bind(("127.0.0.1", 0))
closed = s.getsockname()[1]
s.close()
r = run(closed, 2, 5)
check(r.returncode == 1 and r.stderr.startswith("load: connect"),
      "nothing listening stops it: rc %d, %r" % (r.returncode, r.stderr))

finish()
