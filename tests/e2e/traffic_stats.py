#!/usr/bin/env python3
"""Traffic statistics against values computed by hand: statuses, hosts, endpoints, error rates, latency
percentiles, top N, redirect chains; and the progress line.

    traffic_stats.py WIRELINT

The capture is built with tests/cases/mkpcap.py, whose packets are 1 ms apart
(plus any `wait`), so every latency is known: from the packet that ends the
request to the first and to the last packet of the response.
"""
import gzip
import json
import re
import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(here), "cases"))
import mkpcap  # noqa: E402

wirelint = sys.argv[1]
scratch = tempfile.TemporaryDirectory()  # removed at exit, pass or fail
tmp = scratch.name
failures = []


def check(name, ok, detail=""):
    if not ok:
        failures.append("%s%s" % (name, ": " + detail if detail else ""))


def build(name, text):
    path = os.path.join(tmp, name)
    mkpcap.write(path, mkpcap.build(text.splitlines()))
    return path


def run(*args):
    p = subprocess.run([wirelint, "--format", "jsonl", "--fail-on", "none", *args], capture_output=True, timeout=60)
    return [json.loads(l) for l in p.stdout.decode().splitlines()]


D = "Date: Mon, 03 Nov 2025 10:00:00 GMT\\r\\nContent-Type: text/plain\\r\\n"
# Latencies (first byte, last byte), in ms, by construction:
#   GET /users/1   1, 1      GET /users/22  2, 2 (wait 0.001)
#   GET /users/333 5, 7 (wait 0.004; 3 segments)   GET /users/4444 11, 11 (wait 0.010)
#   POST /login (b.test) 3, 3 (wait 0.002), a 401
cap = build("stats.pcap", f"""conn a 10.0.0.1:40000 10.0.0.2:80
a c "GET /users/1 HTTP/1.1\\r\\nHost: a.test\\r\\n\\r\\n"
a s "HTTP/1.1 200 OK\\r\\n{D}Content-Length: 2\\r\\n\\r\\nok"
a c "GET /users/22 HTTP/1.1\\r\\nHost: a.test\\r\\n\\r\\n"
wait 0.001
a s "HTTP/1.1 200 OK\\r\\n{D}Content-Length: 2\\r\\n\\r\\nok"
a c "GET /users/333 HTTP/1.1\\r\\nHost: a.test\\r\\n\\r\\n"
wait 0.004
a s "HTTP/1.1 404 Not Found\\r\\n{D}Content-Length: 9\\r\\n\\r\\nnot found" split=40
a c "GET /users/4444 HTTP/1.1\\r\\nHost: a.test\\r\\n\\r\\n"
wait 0.010
a s "HTTP/1.1 503 Service Unavailable\\r\\n{D}Retry-After: 5\\r\\nContent-Length: 4\\r\\n\\r\\nbusy"
conn b 10.0.0.3:40000 10.0.0.2:80
b c "POST /login HTTP/1.1\\r\\nHost: b.test\\r\\nContent-Length: 0\\r\\n\\r\\n"
wait 0.002
b s "HTTP/1.1 401 Unauthorized\\r\\n{D}Content-Length: 0\\r\\n\\r\\n"
""")
objs = run(cap)
s = objs[-1]
txn = {o["uri"]: o for o in objs if o["type"] == "transaction"}
lat = {u: (round(t["latency_first_byte"] * 1000, 3), round(t["latency_last_byte"] * 1000, 3)) for u, t in txn.items()}
check("per transaction latency in jsonl",
      lat == {"/users/1": (1, 1), "/users/22": (2, 2), "/users/333": (5, 7), "/users/4444": (11, 11), "/login": (3, 3)},
      str(lat))
check("responses by status code", s["by_status"] == {"200": 2, "401": 1, "404": 1, "503": 1}, str(s["by_status"]))
hosts = {h["name"]: h for h in s["hosts"]}
check("by host: requests, 4xx, 5xx, error rate, findings",
      [(h["name"], h["requests"], h["4xx"], h["5xx"], h["error_rate"]) for h in s["hosts"]]
      == [("a.test", 4, 1, 1, 0.5), ("b.test", 1, 1, 0, 1.0)], json.dumps(s["hosts"]))
eps = {e["name"]: e for e in s["endpoints"]}
check("endpoints with ids normalised", sorted(eps) == ["GET /users/{id}", "POST /login"], str(sorted(eps)))
u = eps.get("GET /users/{id}", {})
fb, lb = u["latency"]["first_byte"], u["latency"]["last_byte"]
# first byte [1, 2, 5, 11]: nearest rank p50 = 2nd, p90 = p99 = 4th; last byte [1, 2, 7, 11].
check("endpoint latency percentiles (nearest rank)",
      (fb["count"], fb["p50"], fb["p90"], fb["p99"], fb["max"]) == (4, 0.002, 0.011, 0.011, 0.011)
      and (lb["p50"], lb["p90"], lb["max"]) == (0.002, 0.011, 0.011), json.dumps(u["latency"]))
ov = s["latency"]["first_byte"]
# overall first byte [1, 2, 3, 5, 11]: p50 = 3rd, p90 = p99 = 5th.
check("overall latency percentiles", (ov["count"], ov["p50"], ov["p90"], ov["p99"], ov["max"]) == (5, 0.003, 0.011, 0.011, 0.011)
      and ov["exact"], json.dumps(ov))
check("error rate per endpoint", u["error_rate"] == 0.5 and eps["POST /login"]["error_rate"] == 1.0)
check("top endpoints by requests", [e["name"] for e in s["top_endpoints_by_requests"]] == ["GET /users/{id}", "POST /login"])
objs = run("--top", "1", cap)
check("--top N", [e["name"] for e in objs[-1]["top_endpoints_by_requests"]] == ["GET /users/{id}"])
findings_by_ep = {e["name"]: e["findings"] for e in s["endpoints"]}
check("findings per endpoint and host", findings_by_ep == {"GET /users/{id}": 0, "POST /login": 1}
      and hosts["b.test"]["findings"] == 1 and [e["name"] for e in s["top_endpoints_by_findings"]] == ["POST /login"],
      str(findings_by_ep))
text = subprocess.run([wirelint, "--fail-on", "none", cap], capture_output=True, timeout=60).stdout.decode()
for want in ("status codes: 200 2, 401 1, 404 1, 503 1", "hosts (top 10 by requests):", "GET /users/{id}",
             "first byte  5 transactions, p50 3.000, p90 11.000, p99 11.000, max 11.000 ms"):
    check("text summary has %r" % want, want in text, text[-1500:])

# Past 256 latencies an endpoint's percentiles come from a histogram (within 3%); overall stays exact.
lines = ["conn a 10.0.0.1:40000 10.0.0.2:80"]
for i in range(1, 301):  # first byte latency i ms: 1 ms between packets, plus i - 1 ms of wait
    lines.append('a c "GET /n/%d HTTP/1.1\\r\\nHost: a.test\\r\\n\\r\\n"' % i)
    if i > 1:
        lines.append("wait %.3f" % ((i - 1) / 1000))
    lines.append('a s "HTTP/1.1 204 No Content\\r\\nDate: Mon, 03 Nov 2025 10:00:00 GMT\\r\\n\\r\\n"')
s300 = run(build("300.pcap", "\n".join(lines)))[-1]
e300 = s300["endpoints"][0]["latency"]["first_byte"]
o300 = s300["latency"]["first_byte"]
close = lambda got, want: abs(got - want) <= 0.03 * want
check("300 latencies: overall percentiles exact", (o300["p50"], o300["p90"], o300["p99"], o300["max"], o300["exact"])
      == (0.150, 0.270, 0.297, 0.300, True), json.dumps(o300))
check("300 latencies: the endpoint's from its histogram, within 3%",
      not e300["exact"] and close(e300["p50"], 0.150) and close(e300["p90"], 0.270) and close(e300["p99"], 0.297)
      and e300["max"] == 0.300 and e300["count"] == 300 and s300["latency_histograms"] == 2, json.dumps(e300))

# Redirect chains, on the bundled recording and on the redirect case.
# The demo's client asks for "/" after the 301 only with HEAD, which no
# client following a 301 to a GET would use: the chain was not followed.
demo = run("captures/demo.pcap")[-1]["redirect_chains"]
check("redirect chain of the recorded demo traffic",
      demo == [{"client": "127.0.0.1", "urls": ["http://demo.test/old-home", "http://demo.test/"], "redirects": 1,
                "final_status": None, "loop": False}], json.dumps(demo))
red = build("red.pcap", open("tests/cases/rules-redirects.case").read())
chains = run(red)[-1]["redirect_chains"]
loops = [c for c in chains if c["loop"]]
check("a loop is reported with its URLs",
      [c["urls"] for c in loops] == [["http://site.test/a", "http://site.test/b", "http://site.test/c", "http://site.test/a"]],
      json.dumps(chains))
long_ = [c for c in chains if c["redirects"] == 7]
check("a chain of 7 redirects, not followed to its end",
      len(long_) == 1 and long_[0]["final_status"] is None and long_[0]["urls"][-1] == "http://site.test/8", json.dumps(chains))
ended = [c for c in chains if c["final_status"] == 200]
check("a chain that ends in 200", len(ended) == 1 and ended[0]["urls"][0] == "http://site.test/old", json.dumps(chains))

# The progress line: on a terminal (script gives one), every half second; not into a pipe, not with -q.
# A fast machine reads this capture in less than half a second: the line
# is asked for every 1024 packets instead (WIRELINT_PROGRESS_EVERY=0).
big = os.path.join(tmp, "big.pcap")
subprocess.run([sys.executable, "bench/gen.py", big, "--size", "20"], check=True, capture_output=True, timeout=120)
os.environ["WIRELINT_PROGRESS_EVERY"] = "0"
p = subprocess.run(["script", "-qc", "%s -o /dev/null %s" % (wirelint, big), "/dev/null"], capture_output=True, timeout=120)
line = p.stdout.decode(errors="replace")
check("a progress line on a terminal: percent, MB/s, time left, transactions, findings",
      "%" in line and "MB/s" in line and "s left" in line and "transactions" in line and "findings" in line, line[-300:])
# gzip-compressed, the percent is of the compressed bytes read, and reaches 100 only at their end.
with open(big, "rb") as f:
    whole = f.read()
with open(big + ".gz", "wb") as f:
    f.write(gzip.compress(whole, 1))
p = subprocess.run(["script", "-qc", "%s -o /dev/null %s.gz" % (wirelint, big), "/dev/null"], capture_output=True,
                   timeout=120)
line = p.stdout.decode(errors="replace")
pcts = [int(m) for m in re.findall(r"big\.pcap\.gz +(\d+)%", line)]
check("a progress line for a gzip file: the percent of its compressed bytes, MB/s, time left",
      len(pcts) >= 2 and pcts == sorted(pcts) and 0 < pcts[-1] <= 100 and "s left" in line, line[-300:])
p = subprocess.run(["script", "-qc", "%s -q -o /dev/null %s" % (wirelint, big), "/dev/null"], capture_output=True,
                   timeout=120)
check("no progress line with -q", "MB/s" not in p.stdout.decode(errors="replace"))
q = subprocess.run([wirelint, "-o", "/dev/null", big], capture_output=True, timeout=120)
check("no progress line when stderr is not a terminal", b"MB/s" not in q.stderr, q.stderr.decode()[-200:])

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("traffic statistics: statuses, hosts, endpoints, error rates, latency percentiles, top N, redirect chains")
