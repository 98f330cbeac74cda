#!/usr/bin/env python3
"""Cross-checks wirelint's transactions with tshark's on the same captures.

For every capture in captures/ and every generated case in tests/cases/,
the transactions (client, server, method, URI, status) that wirelint reports
must equal those tshark's HTTP dissector reports, except for the
differences listed in KNOWN below, each with the reason.  A listed
difference that no longer occurs fails the test too, so the list stays
true.

    tshark_crosscheck.py WIRELINT [--show]
"""
import collections
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "cases"))
import mkpcap  # noqa: E402

# name -> (reason, [only in wirelint], [only in tshark]); a transaction is
# "METHOD URI STATUS" (- for none); endpoints are left out here for brevity.
KNOWN = {
    "case/rules-exchange": (
        "tshark does not frame content with Transfer-Encoding: gzip, chunked (it waits for "
        "the close, so the response never ends), and it links the 101 sent without a 100 "
        "first, and the 100 whose request body follows it, to no request",
        ["GET /1 200", "GET /2 200", "GET /49 101", "GET /50 100"],
        ["- - 100", "- - 101", "GET /1 -", "GET /2 -"]),
    "case/rules-traffic": (
        "tshark pairs only the first of several requests that arrive in one segment (the "
        "17 and 16 pipelined requests of excessive-pipelining), and after the hole in the "
        "second response of connection d it reads none of the responses after it; "
        "those responses link to no request",
        ["GET /p%d 204" % i for i in range(2, 18)] + ["GET /q%d 204" % i for i in range(2, 17)]
        + ["GET /h%d 204" % i for i in range(3, 21)],
        ["- - 204"] * 31 + ["GET /p%d -" % i for i in range(2, 18)] + ["GET /q%d -" % i for i in range(2, 17)]
        + ["GET /h%d -" % i for i in range(3, 21)]),
    "case/rules-history": (
        "tshark pairs only the first of two requests that arrive in one segment",
        ["GET /ra3 200"],
        ["- - 200", "GET /ra3 -"]),
    "case/pending-requests-cap": (
        "tshark pairs only the first of several requests that arrive in one segment (the "
        "captures are read here without the case's --max-pending-requests 2)",
        ["GET /2 200"],
        ["- - 200", "GET /2 -"]),
    "case/rules-syntax": (
        "tshark does not frame content with Transfer-Encoding: gzip, chunked",
        ["GET /19 200"],
        ["GET /19 -"]),
    "demo": (
        "tshark keeps one request method per connection, so with pipelined requests it "
        "reads the HEAD response's Content-Length: 1000 as a body and swallows the next "
        "response (RFC 9112 §6.3 rule 1: a response to HEAD ends at its header block); and it "
        "links a 100 Continue to no request when the request's body comes after it",
        ["GET /c 200", "HEAD /b 200", "POST /upload 100"],
        ["- - 100", "GET /c -", "HEAD /b -"]),
    "case/bodiless": (
        "the same pipelined-HEAD framing error: tshark reads HEAD's Content-Length: 900 as "
        "a body and loses every response after it",
        ["DELETE /b 204", "GET /c 304", "GET /d 304", "GET /e 200", "HEAD /a 200"],
        ["DELETE /b -", "GET /c -", "GET /d -", "GET /e -", "HEAD /a -"]),
    "case/pipelined": (
        "the same pipelined-HEAD framing error (Content-Length: 500 read as a body)",
        ["GET /3 200", "HEAD /2 200"], ["GET /3 -", "HEAD /2 -"]),
    "case/chunked-trailers": (
        "tshark 4.0 marks a chunk extension (5;ext=1) that reaches it split across "
        "segments as a malformed packet and loses the response after it; in one "
        "segment it reads it as wirelint does",
        ["GET /d 503"], ["GET /d -"]),
    "case/cl-and-te": (
        "tshark frames the response by Content-Length: 5 instead of by its chunked "
        "coding (RFC 9112 §6.3 rule 3: Transfer-Encoding overrides Content-Length), so "
        "it finds the next response but cannot link it to its request",
        ["GET /next 200"], ["- - 200", "GET /next -"]),
    "case/hole-in-head": (
        "tshark stops reassembling the server's direction at the hole; wirelint "
        "resynchronises at the next status line and pairs the 302 with the request "
        "after the one whose response was cut",
        ["GET /2 302"], ["GET /2 -"]),
    "case/hole-request-lost": (
        "the capture lost a request the server had (its ACK is past it): tshark pairs "
        "each later response with the request before its own; wirelint declares the "
        "hole when the next request comes and pairs the 304 and the 200 with their own "
        "requests",
        ["GET /3 304", "GET /4 200"], ["- - 200", "- - 304"]),
    "case/hole-pipelined": (
        "the capture lost a pipelined request; the server's answer to it acknowledges "
        "none of the next request: tshark pairs the later responses each with the "
        "request before its own; wirelint leaves that answer unpaired and pairs the "
        "200 and the 304 with their own requests",
        ["GET /3 200", "GET /4 304"], ["- - 200", "- - 304"]),
    "case/hole-responses-lost-many": (
        "the capture lost seventeen responses the client had: tshark leaves GET /18 "
        "unanswered; wirelint writes the seventeen requests before it unanswered and "
        "pairs the 404 with GET /18, whose ACK says the client had received the others",
        ["GET /18 404"], ["GET /18 -"]),
    "case/hole-response-lost": (
        "the capture lost a response the client had (its next request acknowledges "
        "it): tshark leaves the later requests unanswered; wirelint writes the request "
        "whose response was lost unanswered and pairs the 304 and the 200 with their "
        "own requests",
        ["GET /3 304", "GET /4 200"], ["GET /3 -", "GET /4 -"]),
    "case/hole": (
        "tshark stops at the hole; wirelint reports the cut 200 as incomplete and "
        "resynchronises at the 503",
        ["GET /1 200", "GET /2 503"], ["GET /1 -", "GET /2 -"]),
    "case/snaplen": (
        "the snap length cut the body: tshark stops there; wirelint treats the cut "
        "bytes as a hole and resynchronises at the 204",
        ["GET /1 200", "GET /2 204"], ["GET /1 -", "GET /2 -"]),
    "case/ipfrag-lost": (
        "a lost fragment is a hole in the TCP stream: tshark stops there; wirelint "
        "reports the cut 200 as incomplete and resynchronises at the 401",
        ["GET /1 200", "GET /2 401"], ["GET /1 -", "GET /2 -"]),
    "case/interim": (
        "tshark links at most one interim response to the request and reads the "
        "102's Content-Length as a body (RFC 9112 §6.3 rule 1: a 1xx ends at its header "
        "block), losing the final 200",
        ["POST /up 100", "POST /up 102", "POST /up 200"], ["- - 100", "- - 102"]),
    "case/rules-misc": (
        "tshark links a 100 Continue to no request when the request's body comes "
        "after it (as in the demo)",
        ["POST /13 100", "POST /14 100"], ["- - 100", "- - 100"]),
    "case/rules-length": (
        "two bytes beyond /long's Content-Length: tshark takes them for the start of "
        "the next response and links no response after them to its request; and it "
        "reports nothing of the responses cut by FIN (/short) and RST (/reset)",
        ["GET /long 200", "GET /next 200", "GET /reset 200", "GET /short 200"],
        ["- - 200", "- - 200", "GET /long -", "GET /next -", "GET /reset -", "GET /short -"]),
    "case/rules-content-length": (
        "tshark reports no response whose Content-Length it cannot use (letters, a "
        "repeated field, more than 64 bits); wirelint reports each, with its "
        "invalid-content-length finding",
        ["GET /huge 200", "GET /letters 200", "GET /twice 200"],
        ["GET /huge -", "GET /letters -", "GET /twice -"]),
    "case/rules-catalogue": (
        "a 100 Continue followed by a 103 and the final 200 in one segment: tshark links "
        "the first interim response to the POST and the other two to no request",
        ["POST /32 103", "POST /32 200"], ["- - 103", "- - 200"]),
    "case/rules-catalogue-2": (
        "three responses in one segment after a 100 Continue: tshark links the first "
        "interim response to the POST and the 102 and the final 204 to no request",
        ["POST /18 102", "POST /18 204"], ["- - 102", "- - 204"]),
    "case/rules-catalogue-3": (
        "tshark links the two 100 Continue to no request (the body follows them), and "
        "does not link the 204 sent after a response that said Connection: close",
        ["GET /14 204", "POST /11 100", "POST /11 100"], ["- - 100", "- - 100", "- - 204", "GET /14 -"]),
    "case/rules-parse-errors": (
        "tshark reports no response for a head whose first field is folded and none "
        "for gzip before chunked, which it cannot decode; wirelint reports both (the "
        "first stops the parse); after a field with a space before its colon tshark "
        "links the next response to no request",
        ["GET /3 200", "GET /7 200", "GET /9 200"], ["- - 200", "GET /3 -", "GET /7 -", "GET /9 -"]),
    "case/midstream": (
        "the capture starts mid-body: tshark does not resynchronise on the server's "
        "direction; wirelint finds the next status line",
        ["GET /next 405"], ["GET /next -"]),
    "case/rst-mid-message": (
        "the response is cut by RST: tshark reports nothing of a message it could not "
        "reassemble; wirelint reports it, marked incomplete",
        ["GET /big 200"], ["GET /big -"]),
}

wirelint = sys.argv[1]
show = "--show" in sys.argv


def wl_transactions(pcap):
    p = subprocess.run([wirelint, "--format", "jsonl", "--fail-on", "none", pcap], capture_output=True, timeout=120)
    out, ports = [], set()
    for line in p.stdout.decode().splitlines():
        o = json.loads(line)
        if o["type"] != "transaction":
            continue
        ports.add(o["server"].rsplit(":", 1)[1])
        out.append("%s %s %s" % (o["method"] or "-", o["uri"] or "-", "-" if o["status"] is None else o["status"]))
    return out, ports


def ep(ip4, ip6, port):
    return ("[%s]" % ip6 if ip6 else ip4) + ":" + port


def ts_transactions(pcap, ports):
    cmd = ["tshark", "-n", "-o", "tcp.reassemble_out_of_order:TRUE", "-r", pcap, "-Y", "http", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|",
           "-e", "frame.number", "-e", "http.request.method", "-e", "http.request.uri",
           "-e", "http.response.code", "-e", "http.request_in"]
    for port in sorted(ports):
        cmd[1:1] = ["-d", "tcp.port==%s,http" % port]
    p = subprocess.run(cmd, capture_output=True, timeout=120)
    requests = collections.OrderedDict()  # (frame, k) -> "METHOD URI"
    responses = []                        # (request frame or None, status)
    for line in p.stdout.decode().splitlines():
        f = (line.split("\t") + [""] * 5)[:5]
        frame, methods, uris, codes, req_in = f
        if methods:
            for k, (m, u) in enumerate(zip(methods.split("|"), uris.split("|"))):
                requests[(frame, k)] = "%s %s" % (m, u)
        if codes:
            refs = req_in.split("|") if req_in else []
            for k, c in enumerate(codes.split("|")):
                responses.append((refs[k] if k < len(refs) else None, c))
    out, used = [], collections.Counter()
    for ref, code in responses:
        key = None
        if ref:
            key = (ref, used[ref])
            used[ref] += 1
        out.append("%s %s" % (requests.get(key, "- -"), code))
        if key in requests:
            requests[key] = None
    out += ["%s -" % r for r in requests.values() if r]
    return out


def items():
    for pcap in sorted(glob.glob(os.path.join(ROOT, "captures", "*.pcap"))):
        yield os.path.basename(pcap)[:-5], pcap
    with tempfile.TemporaryDirectory() as tmp:
        yield from case_captures(tmp)


def case_captures(tmp):
    for case in sorted(glob.glob(os.path.join(ROOT, "tests", "cases", "*.case"))):
        name = os.path.basename(case)[:-5]
        pcap = os.path.join(tmp, name + ".pcap")
        mkpcap.write(pcap, mkpcap.build(open(case).read().splitlines()))
        yield "case/" + name, pcap


if not shutil.which("tshark"):
    sys.exit("tshark is not installed (scripts/setup.sh installs it)")
failures, checked = [], 0
for name, pcap in items():
    wl, ports = wl_transactions(pcap)
    ts = ts_transactions(pcap, ports)
    only_wl = sorted((collections.Counter(wl) - collections.Counter(ts)).elements())
    only_ts = sorted((collections.Counter(ts) - collections.Counter(wl)).elements())
    checked += 1
    known = KNOWN.get(name)
    if show and (only_wl or only_ts):
        print("%s:\n  only wirelint: %s\n  only tshark:   %s" % (name, only_wl, only_ts))
    if known:
        if (sorted(known[1]), sorted(known[2])) != (only_wl, only_ts):
            failures.append("%s: the known difference (%s) changed: only wirelint %s, only tshark %s"
                            % (name, known[0], only_wl, only_ts))
    elif only_wl or only_ts:
        failures.append("%s: only wirelint %s, only tshark %s" % (name, only_wl, only_ts))
if failures:
    print("\n".join(failures))
    sys.exit(1)
print("%d captures: wirelint and tshark agree (%d known differences, each explained)" % (checked, len(KNOWN)))
