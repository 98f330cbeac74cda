#!/usr/bin/env python3
"""The findings kept for the same inputs (rules/verdict.h) change nothing.

A capture of transactions that repeat, as a server under load answers
(16 connections, each cycling through the same few exchanges): some clean,
some with one finding or a few, some with more findings than a verdict
keeps, some differing from another in one byte of a field, in the
request's target, in the content's length or in the trailers alone (the
same chunked head and first bytes), and a Date that date-skew (turned on) judges against the second each
response was seen in, as the capture's clock passes it.  wirelint's JSON
Lines must be byte for byte the same with the memo (the default), without
it (WIRELINT_VERDICTS=off) and checking each verdict given against the
rules' own (=check, which stops wirelint where they differ), at -j 1 and
-j 3; and the memo must have been used (=stats: most lookups found).

    verdicts.py WIRELINT
"""
import os
import re
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
sys.path.insert(0, os.path.join(root, "tests", "cases"))
import mkpcap  # noqa: E402

wirelint = sys.argv[1]
T0_DATE = "Mon, 01 Jan 2024 00:05:02 GMT"  # 302 s after the capture's first packet: date-skew until 2 s in

EXCHANGES = [
    # clean
    ('GET / HTTP/1.1\\r\\nHost: a.test\\r\\n\\r\\n',
     'HTTP/1.1 200 OK\\r\\nDate: %s\\r\\nContent-Type: text/html\\r\\nContent-Length: 5\\r\\nETag: \\"v1\\"\\r\\n\\r\\nhello'),
    # one byte of a field's value apart: an ETag that is not an entity-tag
    ('GET / HTTP/1.1\\r\\nHost: a.test\\r\\n\\r\\n',
     'HTTP/1.1 200 OK\\r\\nDate: %s\\r\\nContent-Type: text/html\\r\\nContent-Length: 5\\r\\nETag: v1\\"\\"\\r\\n\\r\\nhello'),
    # a redirect without Location, to two targets
    ('GET /old HTTP/1.1\\r\\nHost: a.test\\r\\n\\r\\n',
     'HTTP/1.1 301 Moved\\r\\nDate: %s\\r\\nContent-Length: 0\\r\\n\\r\\n'),
    ('GET /older HTTP/1.1\\r\\nHost: a.test\\r\\n\\r\\n',
     'HTTP/1.1 301 Moved\\r\\nDate: %s\\r\\nContent-Length: 0\\r\\n\\r\\n'),
    # a redirect to itself, and the same answer to another target
    ('GET /self HTTP/1.1\\r\\nHost: a.test\\r\\n\\r\\n',
     'HTTP/1.1 302 Found\\r\\nDate: %s\\r\\nLocation: http://a.test/self\\r\\nContent-Length: 0\\r\\n\\r\\n'),
    ('GET /other HTTP/1.1\\r\\nHost: a.test\\r\\n\\r\\n',
     'HTTP/1.1 302 Found\\r\\nDate: %s\\r\\nLocation: http://a.test/self\\r\\nContent-Length: 0\\r\\n\\r\\n'),
    # 413 to a request without content, and with
    ('POST /up HTTP/1.1\\r\\nHost: a.test\\r\\nContent-Length: 0\\r\\n\\r\\n',
     'HTTP/1.1 413 Too Large\\r\\nDate: %s\\r\\nContent-Length: 0\\r\\n\\r\\n'),
    ('POST /up HTTP/1.1\\r\\nHost: a.test\\r\\nContent-Length: 3\\r\\n\\r\\nabc',
     'HTTP/1.1 413 Too Large\\r\\nDate: %s\\r\\nContent-Length: 0\\r\\n\\r\\n'),
    # more findings than a verdict keeps
    ('GET /bad HTTP/1.1\\r\\nHost: a.test\\r\\n\\r\\n',
     'HTTP/1.1 200 OK\\r\\nETag: v1\\"\\r\\nLast-Modified: never\\r\\nContent-Range: pages 1-2/3\\r\\n'
     'Retry-After: soon\\r\\nContent-Length: 3\\r\\n\\r\\nabc'),
    # content of another length, no Content-Type
    ('GET /n HTTP/1.1\\r\\nHost: a.test\\r\\n\\r\\n',
     'HTTP/1.1 200 OK\\r\\nDate: %s\\r\\nContent-Length: 3\\r\\n\\r\\nabc'),
    ('GET /n HTTP/1.1\\r\\nHost: a.test\\r\\n\\r\\n',
     'HTTP/1.1 200 OK\\r\\nDate: %s\\r\\nContent-Length: 0\\r\\n\\r\\n'),
    # chunked, the same head: a trailer field that belongs in the head, or another
    ('GET /t HTTP/1.1\\r\\nHost: a.test\\r\\n\\r\\n',
     'HTTP/1.1 200 OK\\r\\nDate: %s\\r\\nContent-Type: text/plain\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n'
     '3\\r\\nabc\\r\\n0\\r\\nContent-Length: 3\\r\\n\\r\\n'),
    ('GET /t HTTP/1.1\\r\\nHost: a.test\\r\\n\\r\\n',
     'HTTP/1.1 200 OK\\r\\nDate: %s\\r\\nContent-Type: text/plain\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n'
     '3\\r\\nabc\\r\\n0\\r\\nX-Sum: 3\\r\\n\\r\\n'),
    # chunked without Content-Type, the same head: content, or none
    ('GET /c HTTP/1.1\\r\\nHost: a.test\\r\\n\\r\\n',
     'HTTP/1.1 200 OK\\r\\nDate: %s\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3\\r\\nabc\\r\\n0\\r\\n\\r\\n'),
    ('GET /c HTTP/1.1\\r\\nHost: a.test\\r\\n\\r\\n',
     'HTTP/1.1 200 OK\\r\\nDate: %s\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n'),
    # 205 with content, the same head and first bytes: a length the finding names
    ('GET /r HTTP/1.1\\r\\nHost: a.test\\r\\n\\r\\n',
     'HTTP/1.1 205 Reset\\r\\nDate: %s\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n'
     '14\\r\\n0123456789abcdefghij\\r\\n0\\r\\n\\r\\n'),
    ('GET /r HTTP/1.1\\r\\nHost: a.test\\r\\n\\r\\n',
     'HTTP/1.1 205 Reset\\r\\nDate: %s\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n'
     '18\\r\\n0123456789abcdefghijklmn\\r\\n0\\r\\n\\r\\n'),
]


def lines():
    out = []
    for c in range(16):
        out.append("conn c%d 10.0.4.%d:%d 10.0.1.1:80" % (c, 1 + c % 4, 43000 + c))
    for rnd in range(30):
        for c in range(16):
            req, resp = EXCHANGES[(rnd * 5 + c) % len(EXCHANGES)]
            out.append('c%d c "%s"' % (c, req))
            out.append('c%d s "%s"' % (c, resp.replace("%s", T0_DATE) if "%s" in resp else resp))
        if rnd % 10 == 9:
            out.append("wait 1")
    return out


def run(pcap, jobs, mode):
    env = dict(os.environ)
    env.pop("WIRELINT_VERDICTS", None)
    if mode:
        env["WIRELINT_VERDICTS"] = mode
    p = subprocess.run([wirelint, "-j", str(jobs), "-F", "jsonl", "--fail-on", "none", "--enable", "date-skew", pcap],
                       capture_output=True, env=env, timeout=120)
    if p.returncode != 0:
        sys.exit("-j %d, WIRELINT_VERDICTS=%s: exit %d: %s" % (jobs, mode, p.returncode, p.stderr.decode(errors="replace")))
    return p.stdout, p.stderr.decode()


with tempfile.TemporaryDirectory() as tmp:
    pcap = os.path.join(tmp, "repeats.pcap")
    mkpcap.write(pcap, mkpcap.build(lines()))
    want, _ = run(pcap, 1, "off")
    rules = set(re.findall(rb'"rule":"([a-z0-9-]+)"', want))
    for needed in (b"invalid-etag", b"missing-location", b"redirect-to-self", b"payload-too-large-without-body",
                   b"missing-content-type", b"trailer-forbidden-field", b"trailer-inconsistent", b"date-skew"):
        if needed not in rules:
            sys.exit("the capture raises no %s: it does not test what it is for" % needed.decode())
    for jobs in (1, 3):
        for mode in (None, "check", "off"):
            got, _ = run(pcap, jobs, mode)
            if got != want:
                sys.exit("-j %d, WIRELINT_VERDICTS=%s: the output differs from the rules' own" % (jobs, mode))
    _, err = run(pcap, 1, "stats")
    m = re.search(r"(\d+) looked up, (\d+) found, (\d+) kept, (\d+) too long", err)
    if not m:
        sys.exit("WIRELINT_VERDICTS=stats wrote no counts: %s" % err)
    looked, found, kept, too_long = map(int, m.groups())
    if not (looked and found * 2 > looked and too_long):
        sys.exit("the memo was not used as the capture should have it: %s" % err.strip())
    print("%d transactions' findings the same with the memo, without it and checked, at -j 1 and -j 3; "
          "%d of %d lookups found, %d not kept" % (want.count(b'"type":"transaction"'), found, looked, too_long))
