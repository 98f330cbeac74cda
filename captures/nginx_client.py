#!/usr/bin/env python3
"""The requests record_nginx.sh sends to nginx, over one keep-alive connection where nginx allows."""
import http.client
import sys

port = int(sys.argv[1])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)


def do(method, path, headers=None, body=None):
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    r.read()
    return r


etag = do("GET", "/").getheader("ETag")
do("HEAD", "/")
do("GET", "/", {"If-None-Match": etag})          # 304
do("GET", "/docs")                               # 301 with Location
do("GET", "/", {"Range": "bytes=0-9"})           # 206
do("GET", "/missing")                            # 404
do("POST", "/index.html", body=b"x=1")           # 405: nginx sends no Allow
do("GET", "/private")                            # 401 with WWW-Authenticate
do("GET", "/busy")                               # 503: no Retry-After
do("POST", "/created", body=b"{}")               # 201: no Location
c.close()
