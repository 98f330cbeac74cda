#!/usr/bin/env python3
"""bench/load, the wrk-like load generator bench/record_nginx.sh records under (docs/performance.md).

A server of this script's own on 127.0.0.1 (an ephemeral port, stopped at
the end whatever happens) answers each request with a Content-Length
body, its head and body written apart so that load reads a response in
pieces.  load asks exactly the number of requests it was told, over
exactly the number of connections, each request "GET PATH HTTP/1.1" with
the Host it connected to, one at a time on a connection.  It stops with
status 1 and a message on a response without Content-Length, on a
server that closes the connection without answering, and on a port
nothing listens on, and with status 2 on bad arguments.

    bench_load.py BUILD_DIR
"""
import os
import socket
import socketserver
import subprocess
import sys
import threading

from e2e_checks import check, finish

load = os.path.join(sys.argv[1], "bench", "load")


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, answer):
        self.answer = answer     # "length", "no-length" or "close" (closes without answering)
        self.lock = threading.Lock()
        self.requests = []       # (connection number, request head)
        self.connections = 0
        self.overlapped = False  # a request came before the one before it was answered
        super().__init__(("127.0.0.1", 0), Handler)


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        srv = self.server
        with srv.lock:
            srv.connections += 1
            conn = srv.connections
        buf = b""
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
            body = b"hello"
            if srv.answer == "close":
                return
            if srv.answer == "length":
                self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body))
                self.request.sendall(body)
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

    for bad in [(port, 0, 1), (0, 1, 1), (port, 1, 0), (port, 1), (port, 1, 1, "/" + "x" * 300)]:
        r = run(*bad)
        check(r.returncode == 2 and r.stderr.startswith(("usage: load", "load: PORT")),
              "bad arguments %r refused: rc %d, %r" % (bad[:3], r.returncode, r.stderr))
finally:
    srv.shutdown()
    srv.server_close()

for answer, said in [("no-length", "load: a response without Content-Length\n"),
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
