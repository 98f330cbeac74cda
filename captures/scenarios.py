#!/usr/bin/env python3
"""The traffic recorded into captures/*.pcap, and the findings it must produce.

One table drives the scripted server, the client and the expected-findings
files, so what the server was told to get wrong is exactly what wirelint
must report: the .expect files are written from this table, never from
wirelint's output.

    scenarios.py serve CAPTURE PORT   run the scripted server for CAPTURE's scenarios
    scenarios.py client CAPTURE       run the client against it (ports from the table)
    scenarios.py expect CAPTURE       print the expected findings, one per line
"""
import socket
import sys
import threading

CRLF = "\r\n"


def resp(status, reason, headers=(), body=b"", raw_tail=b""):
    lines = ["HTTP/1.1 %d %s" % (status, reason)] + ["%s: %s" % h for h in headers]
    return (CRLF.join(lines) + CRLF + CRLF).encode() + body + raw_tail


def req(method, uri, headers=(), body=b""):
    hs = [("Host", "demo.test")] + list(headers)
    if body:
        hs.append(("Content-Length", str(len(body))))
    lines = ["%s %s HTTP/1.1" % (method, uri)] + ["%s: %s" % h for h in hs]
    return (CRLF.join(lines) + CRLF + CRLF).encode() + body


HTML = b"<!doctype html><title>ok</title><p>hello</p>\n"
DATE = ("Date", "Mon, 03 Nov 2025 10:00:00 GMT")


def ok(body=HTML, extra=()):
    return resp(200, "OK", [DATE, ("Content-Type", "text/html"), ("Content-Length", str(len(body)))] + list(extra), body)


# An exchange: (request bytes, response bytes, [expected rule ids], options)
# options: "expect100" sends the request head, waits for the interim
# response, then sends the body.
def ex(request, response, rules=(), **opts):
    return {"req": request, "resp": response, "rules": list(rules), "opts": opts}


# A connection: a port and a list of exchanges; pipelined=True sends all
# requests before reading any response.
def conn(port, exchanges, pipelined=False):
    return {"port": port, "exchanges": exchanges, "pipelined": pipelined}


CAPTURES = {
    # The demo: clean traffic and at least one violation of every rule.
    "demo": [
        conn(8080, [
            ex(req("GET", "/"), ok()),
            ex(req("GET", "/old-home"), resp(301, "Moved Permanently", [DATE, ("Location", "/"), ("Content-Length", "0")])),
            ex(req("GET", "/legacy"), resp(301, "Moved Permanently", [DATE, ("Content-Length", "0")]), ["missing-location"]),
            ex(req("GET", "/login-redirect"), resp(302, "Found", [DATE, ("Content-Length", "0")]), ["missing-location"]),
            ex(req("HEAD", "/"), resp(200, "OK", [DATE, ("Content-Type", "text/html"), ("Content-Length", str(len(HTML)))])),
        ]),
        conn(8080, [
            ex(req("POST", "/items", [("Content-Type", "application/json")], b'{"name":"a"}'),
               resp(201, "Created", [DATE, ("Location", "/items/1"), ("Content-Length", "0")])),
            ex(req("POST", "/items", [("Content-Type", "application/json")], b'{"name":"b"}'),
               resp(201, "Created", [DATE, ("Content-Length", "0")]), ["missing-location"]),
            ex(req("DELETE", "/readonly"), resp(405, "Method Not Allowed", [DATE, ("Allow", "GET, HEAD"), ("Content-Length", "0")])),
            ex(req("PUT", "/readonly", body=b"x"), resp(405, "Method Not Allowed", [DATE, ("Content-Length", "0")]), ["missing-allow"]),
        ]),
        conn(3000, [
            ex(req("GET", "/private"), resp(401, "Unauthorized", [DATE, ("WWW-Authenticate", 'Basic realm="demo"'), ("Content-Length", "0")])),
            ex(req("GET", "/admin"), resp(401, "Unauthorized", [DATE, ("Content-Length", "0")]), ["missing-www-authenticate"]),
            ex(req("GET", "/status"), resp(503, "Service Unavailable", [DATE, ("Retry-After", "120"), ("Content-Length", "0")])),
            ex(req("GET", "/report"), resp(503, "Service Unavailable", [DATE, ("Content-Length", "0")]), ["missing-retry-after"]),
        ]),
        conn(3000, [
            # 204 framed with Content-Length: the five bytes are content it must not carry.
            ex(req("DELETE", "/items/1"), resp(204, "No Content", [DATE, ("Content-Length", "5")], b"hello"),
               ["body-forbidden", "content-length-forbidden"]),
            ex(req("GET", "/after-204"), ok()),
            ex(req("GET", "/style.css", [("If-None-Match", '"v1"')]),
               resp(304, "Not Modified", [DATE, ("ETag", '"v1"'), ("Content-Length", str(len(HTML)))])),
            ex(req("GET", "/app.js", [("If-None-Match", '"v2"')]),
               resp(304, "Not Modified", [DATE, ("ETag", '"v2"'), ("Content-Length", str(len(HTML)))], HTML), ["body-forbidden"]),
            ex(req("GET", "/after-304"), ok()),
        ]),
        conn(5173, [
            ex(req("HEAD", "/page"), resp(200, "OK", [DATE, ("Content-Type", "text/html"), ("Content-Length", str(len(HTML)))], HTML), ["head-body"]),
            ex(req("GET", "/page"), ok()),
        ]),
        conn(5173, [
            ex(req("GET", "/a"), ok()),
            ex(req("HEAD", "/b"), resp(200, "OK", [DATE, ("Content-Length", "1000")])),
            ex(req("GET", "/c"), ok()),
        ], pipelined=True),
        conn(8000, [
            ex(req("POST", "/upload", [("Expect", "100-continue")], b"0123456789"),
               resp(100, "Continue") + resp(200, "OK", [DATE, ("Content-Length", "2")], b"ok"),
               ["missing-content-type"], opts_expect100=True),
            ex(req("GET", "/broken"), b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nBad Header Line\r\n\r\nok",
               ["malformed-response"]),
        ]),
        conn(8000, [
            # A field line without a colon: the server answers 400 and closes.
            ex(b"GET /bad HTTP/1.1\r\nHost: demo.test\r\nBad Header\r\n\r\n",
               resp(400, "Bad Request", [DATE, ("Content-Length", "0"), ("Connection", "close")]),
               ["malformed-request"]),
        ]),
    ],
    # Only clean responses: wirelint exits 0 on it.
    "clean": [
        conn(8080, [
            ex(req("GET", "/"), ok()),
            ex(req("GET", "/old"), resp(308, "Permanent Redirect", [DATE, ("Location", "/new"), ("Content-Length", "0")])),
            ex(req("HEAD", "/"), resp(200, "OK", [DATE, ("Content-Length", str(len(HTML)))])),
            ex(req("GET", "/gone"), resp(404, "Not Found", [DATE, ("Content-Type", "text/plain"), ("Content-Length", "9")], b"not found")),
        ]),
    ],
}


def expected(name):
    """The expected findings in output order: by connection, then by exchange."""
    out = []
    for c in CAPTURES[name]:
        for e in c["exchanges"]:
            first = e["req"].split(b"\r\n", 1)[0].decode()
            method, uri, _ = first.split(" ", 2)
            # The status of the final response (an interim one comes first).
            status = e["resp"].split(b"\r\n", 1)[0].split(b" ")[1].decode()
            if "opts_expect100" in e["opts"]:
                status = e["resp"].split(b"\r\n\r\n", 1)[1].split(b"\r\n", 1)[0].split(b" ")[1].decode()
            for r in e["rules"]:
                out.append("%s %s %s %s" % (method, uri, status, r))
    return out


def read_request(f):
    """Reads one request head and body from a socket file; None at EOF."""
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        ch = f.read(1)
        if not ch:
            return None
        head += ch
    length = 0
    expect100 = False
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
        if k.strip().lower() == b"expect":
            expect100 = True
    return head, length, expect100


def serve(name, port):
    table = {}
    for c in CAPTURES[name]:
        if c["port"] != port:
            continue
        for e in c["exchanges"]:
            first = e["req"].split(b"\r\n", 1)[0]
            table.setdefault(first, []).append(e)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(16)
    srv.settimeout(30)  # never outlive the recording

    def handle(s):
        f = s.makefile("rb")
        while True:
            r = read_request(f)
            if r is None:
                break
            head, length, expect100 = r
            e = table[head.split(b"\r\n", 1)[0]].pop(0)
            resp = e["resp"]
            if expect100:
                interim, rest = resp.split(b"\r\n\r\n", 1)
                s.sendall(interim + b"\r\n\r\n")
                resp = rest
            f.read(length)
            s.sendall(resp)
        s.close()

    print("ready", flush=True)
    while True:
        try:
            s, _ = srv.accept()
        except socket.timeout:
            break
        threading.Thread(target=handle, args=(s,), daemon=True).start()


def client(name):
    for c in CAPTURES[name]:
        s = socket.create_connection(("127.0.0.1", c["port"]), timeout=10)
        f = s.makefile("rb")
        if c["pipelined"]:
            s.sendall(b"".join(e["req"] for e in c["exchanges"]))
            for e in c["exchanges"]:
                f.read(len(e["resp"]))
        for e in c["exchanges"] if not c["pipelined"] else []:
            if "opts_expect100" in e["opts"]:
                head, body = e["req"].split(b"\r\n\r\n", 1)
                s.sendall(head + b"\r\n\r\n")
                interim = e["resp"].split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
                f.read(len(interim))
                s.sendall(body)
                f.read(len(e["resp"]) - len(interim))
            else:
                s.sendall(e["req"])
                f.read(len(e["resp"]))
        s.shutdown(socket.SHUT_WR)
        f.read()
        s.close()


if __name__ == "__main__":
    cmd, name = sys.argv[1], sys.argv[2]
    if cmd == "serve":
        serve(name, int(sys.argv[3]))
    elif cmd == "client":
        client(name)
    elif cmd == "expect":
        for line in expected(name):
            print(line)
    elif cmd == "ports":
        print(" ".join(str(p) for p in sorted({c["port"] for c in CAPTURES[name]})))
