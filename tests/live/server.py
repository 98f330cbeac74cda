#!/usr/bin/env python3
"""A small HTTP/1.1 server for the live tests, on 127.0.0.1 at a free port.

It prints its port on the first line of standard output, serves until it is
killed or for at most 120 seconds, and answers:
    /ok        200 with Date, Content-Type and content (passes every rule)
    /redirect  302 with no Location (missing-location, an error)
    anything else 404 with content
"""
import http.server
import sys
import threading


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"ok\n" if self.path == "/ok" else b"not here\n"
        self.send_response(200 if self.path == "/ok" else 404)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Timer(120, server.shutdown).start()
server.serve_forever()
