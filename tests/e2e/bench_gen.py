#!/usr/bin/env python3
"""bench/gen.py --mix web, --per-conn, --drop, --reorder, --retransmit, --tls, --connect, --conns and --pcapng, and bench/run.py passing them on
(docs/performance.md).

gen.py --per-conn 1 writes a connection a transaction: wirelint counts as
many HTTP connections as transactions.  --per-conn 2-3 gives 2 or 3 each
(every connection but the few still open at the end).  The same arguments
give the same bytes.  A bad range, or --per-conn with --persistent, stops
gen.py and run.py with a message.  run.py --per-conn 1 --quick names and
times the capture of that shape, and says its targets were measured on it.

gen.py --drop 1 leaves out about 1% of the packets of the capture without
it, the others the same bytes in the same order; wirelint declares each
hole as acknowledged (gaps_acked) and finds what it finds without the
drops, less what was in the missing packets: no response or request left
without its pair is called a finding.

gen.py --reorder 5 --retransmit 2 writes the packets of the capture
without them, some sent twice and some held behind the next of their
direction; wirelint finds the very same transactions and findings (their
times and frame numbers aside), with no hole and no retransmitted byte
that differs; bench/llhttp_floor parses as many requests and responses as
wirelint counts, there and on the large mix so made, where segments of a
response do come out of order.  Bad percentages stop gen.py and run.py
naming the option, and run.py --reorder --quick names and times the
capture.

gen.py --tls 50 makes about half the connections carry TLS to port 443:
wirelint counts them as not HTTP and reads the others' transactions,
which bench/llhttp_floor parses too; run.py --tls --quick names and times
the capture, and bad percentages stop both naming --tls.

gen.py --connect 40 (with --tls 30) makes about 40% of the connections
CONNECT tunnels to port 3128, with TLS inside: wirelint counts each as a
tunnel with one transaction, its bytes after the 200 in tunnel_bytes,
and bench/llhttp_floor parses as many requests and responses as wirelint
counts (it stops at a 2xx to CONNECT, as at an upgrade); shares that add
up to 100 or more stop both, and run.py --connect --quick names and times
the capture.

gen.py --mix web writes what browsers and a web server exchange, with
the header fields each really sends: wirelint reads every transaction
gen.py wrote, as many as bench/llhttp_floor parses, with no finding at
all (a rule that fires on such traffic is wrong, or the mix is), and with
--violations 10 only the one planted, content-type-invalid, on about a
tenth of the responses; run.py --mixes web --quick names and times it.

gen.py --pcapng writes the same packets, with the same times, as pcapng
blocks (whole, their length at both ends); wirelint reads every one, and
run.py --pcapng names and times the pcapng capture.

    bench_gen.py BUILD_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

from e2e_checks import check, finish

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
build = sys.argv[1]
wirelint = os.path.join(build, "wirelint")
scratch = tempfile.TemporaryDirectory()  # removed at exit, pass or fail
tmp = scratch.name
gen = os.path.join(root, "bench", "gen.py")
run = os.path.join(root, "bench", "run.py")


def summary(path):
    p = subprocess.run([wirelint, "-F", "jsonl", "--fail-on", "none", path], capture_output=True, text=True)
    check(p.returncode == 0, "wirelint reads %s (exit %d)" % (path, p.returncode))
    lines = p.stdout.splitlines()
    txns = [json.loads(l) for l in lines if l.startswith('{"type":"transaction"')]
    return json.loads(lines[-1]), txns


one = os.path.join(tmp, "one.pcap")
again = os.path.join(tmp, "again.pcap")
for path in (one, again):
    subprocess.run([sys.executable, gen, path, "--size", "1", "--per-conn", "1"], check=True, stdout=subprocess.DEVNULL)
check(open(one, "rb").read() == open(again, "rb").read(), "the same arguments give the same bytes")
s, txns = summary(one)
check(s.get("transactions", 0) > 500, "1 MB holds hundreds of transactions (%s)" % s.get("transactions"))
check(s.get("http_connections") == s.get("transactions"),
      "--per-conn 1: a connection a transaction (%s connections, %s transactions)"
      % (s.get("http_connections"), s.get("transactions")))

two = os.path.join(tmp, "two.pcap")
subprocess.run([sys.executable, gen, two, "--size", "1", "--per-conn", "2-3"], check=True, stdout=subprocess.DEVNULL)
s, txns = summary(two)
per = {}
for t in txns:
    per[t["conn"]] = per.get(t["conn"], 0) + 1
closed = [n for n in per.values()]
sizes = sorted(set(closed))
check(set(closed) - {1} <= {2, 3} and closed.count(2) > 10 and closed.count(3) > 10,
      "--per-conn 2-3: 2 or 3 transactions a connection (counts seen: %s)" % sizes)
check(closed.count(1) <= 64, "only connections still open at the end carry fewer (%d)" % closed.count(1))

for args, says in ((["--per-conn", "3-2"], "1 <= N <= M"), (["--per-conn", "0"], "1 <= N <= M"),
                   (["--per-conn", "x"], "--per-conn x"), (["--per-conn", "1", "--persistent"], "never closes")):
    p = subprocess.run([sys.executable, gen, os.path.join(tmp, "bad.pcap"), "--size", "1", *args],
                       capture_output=True, text=True)
    check(p.returncode != 0 and says in p.stderr, "gen.py %s stops with %r (exit %d: %r)"
          % (" ".join(args), says, p.returncode, p.stderr[-200:]))
    p = subprocess.run([sys.executable, run, "--build", build, "--out", os.path.join(tmp, "out"), "--quick", *args],
                       capture_output=True, text=True)
    check(p.returncode != 0 and "--per-conn" in p.stderr, "run.py %s stops naming --per-conn (exit %d: %r)"
          % (" ".join(args), p.returncode, p.stderr[-200:]))

out = os.path.join(tmp, "out")
p = subprocess.run([sys.executable, run, "--build", build, "--out", out, "--quick", "--mixes", "small",
                    "--jobs", "1", "--per-conn", "1"], capture_output=True, text=True)
print(p.stdout)
check(p.returncode == 0, "run.py --per-conn 1 --quick exits 0 (%d: %s)" % (p.returncode, p.stderr[-300:]))
made = sorted(m for m in os.listdir(out) if "-slice" not in m) if os.path.isdir(out) else []  # tshark's slices aside
check(made == ["small-4MB-perconn1.pcap"], "the capture is named for its shape: %s" % made)
if made:
    s, _ = summary(os.path.join(out, made[0]))
    check(s.get("http_connections") == s.get("transactions"), "and has a connection a transaction")
    check("wirelint -j1 " in p.stdout, "and is timed")
    check("targets (set for the default mixes; these are --per-conn 1):" in p.stdout,
          "the targets say which shape they were measured on")


def records(path):
    data = open(path, "rb").read()
    off, recs = 24, []
    while off < len(data):
        n = int.from_bytes(data[off + 8:off + 12], "little")
        recs.append(data[off + 16:off + 16 + n])
        off += 16 + n
    return recs


whole, dropped = os.path.join(tmp, "whole.pcap"), os.path.join(tmp, "drop.pcap")
subprocess.run([sys.executable, gen, whole, "--size", "3"], check=True, stdout=subprocess.DEVNULL)
subprocess.run([sys.executable, gen, dropped, "--size", "2", "--drop", "1"], check=True, stdout=subprocess.DEVNULL)
w, d = records(whole), records(dropped)
i = 0
for r in d:  # d is w with packets left out, in order
    while i < len(w) and w[i] != r:
        i += 1
    i += 1
check(i <= len(w), "--drop keeps the other packets, same bytes, same order")
missed = i - len(d)
check(0.005 * len(d) < missed < 0.02 * len(d), "--drop 1 misses about 1%% of the packets (%d of %d)" % (missed, i))
s_w, _ = summary(whole)
s_d, _ = summary(dropped)
check(s_d.get("gaps", 0) > 20 and s_d.get("gaps_acked") == s_d.get("gaps"),
      "every hole is declared as acknowledged (%s gaps, %s acknowledged)" % (s_d.get("gaps"), s_d.get("gaps_acked")))
lost_pairs = {k: v for k, v in s_d.get("by_rule", {}).items()
              if k in ("response-without-request", "request-without-response", "unsolicited-304") and v}
check(not lost_pairs, "no finding for a pair the capture broke: %s" % lost_pairs)
check(s_d.get("findings", 0) <= s_w.get("findings", 0),
      "no more findings than without drops (%s against %s on 3 MB)" % (s_d.get("findings"), s_w.get("findings")))
for bad in ("100", "-1", "x"):
    p = subprocess.run([sys.executable, gen, os.path.join(tmp, "bad.pcap"), "--size", "1", "--drop", bad],
                       capture_output=True, text=True)
    check(p.returncode != 0 and "--drop" in p.stderr, "gen.py --drop %s stops naming --drop (exit %d)" % (bad, p.returncode))
p = subprocess.run([sys.executable, run, "--build", build, "--out", os.path.join(tmp, "out2"), "--quick", "--drop", "100"],
                   capture_output=True, text=True)
check(p.returncode != 0 and "--drop" in p.stderr, "run.py --drop 100 stops naming --drop (exit %d)" % p.returncode)

# --reorder and --retransmit: the same exchange, segments out of order and sent twice.
net = os.path.join(tmp, "net.pcap")
plain = os.path.join(tmp, "plain.pcap")
subprocess.run([sys.executable, gen, plain, "--size", "2"], check=True, stdout=subprocess.DEVNULL)
subprocess.run([sys.executable, gen, net, "--size", "2", "--reorder", "5", "--retransmit", "2"], check=True,
               stdout=subprocess.DEVNULL)
p_recs, n_recs = records(plain), records(net)
check(sorted(set(n_recs)) == sorted(set(p_recs)), "--reorder and --retransmit send the same segments, no other")
extra = len(n_recs) - len(p_recs)
check(0.01 * len(p_recs) < extra < 0.03 * len(p_recs),
      "--retransmit 2 sends about 2%% more packets (%d more than %d)" % (extra, len(p_recs)))
firsts, seen = [], set()
for r in n_recs:
    if r not in seen:
        seen.add(r)
        firsts.append(r)
check(len(firsts) == len(p_recs) and firsts != p_recs, "--reorder 5 changes the order of the packets, no more")
s_p, t_p = summary(plain)
s_n, t_n = summary(net)
volatile = ("file", "frame", "ts", "response_ts", "response_frame", "latency_first_byte", "latency_last_byte")
same = [{k: v for k, v in t.items() if k not in volatile} for t in t_p] == \
       [{k: v for k, v in t.items() if k not in volatile} for t in t_n]
check(same and s_p.get("findings") == s_n.get("findings"),
      "the same transactions and findings, in the same order (%d and %d transactions, %s and %s findings)"
      % (len(t_p), len(t_n), s_p.get("findings"), s_n.get("findings")))
check(not s_n.get("gaps") and not s_n.get("overlap_mismatch"),
      "no hole and no differing retransmission (%s gaps, %s mismatches)" % (s_n.get("gaps"), s_n.get("overlap_mismatch")))
# floor+llhttp reassembles as far as parsing needs: the same messages.
big = os.path.join(tmp, "net-large.pcap")
subprocess.run([sys.executable, gen, big, "--mix", "large", "--size", "3", "--reorder", "5", "--retransmit", "2"],
               check=True, stdout=subprocess.DEVNULL)
for c in (net, big):
    s_c, _ = summary(c)
    p = subprocess.run([os.path.join(build, "bench", "llhttp_floor"), c], capture_output=True, text=True)
    # llhttp_floor counts whole responses: not those the capture's end cut.
    want = " %s requests, %s responses, 0 parse errors, 0 directions with a hole" % (
        s_c.get("transactions"), s_c.get("responses", 0) - s_c.get("txn_incomplete", 0))
    check(p.returncode == 0 and want in p.stdout,
          "llhttp_floor %s parses wirelint's messages, out of order too: %r" % (os.path.basename(c), p.stdout.strip()))
for opt in ("--reorder", "--retransmit"):
    for bad in ("100", "-1"):
        p = subprocess.run([sys.executable, gen, os.path.join(tmp, "bad.pcap"), "--size", "1", opt, bad],
                           capture_output=True, text=True)
        check(p.returncode != 0 and opt in p.stderr, "gen.py %s %s stops naming it (exit %d)" % (opt, bad, p.returncode))
    p = subprocess.run([sys.executable, run, "--build", build, "--out", os.path.join(tmp, "out2"), "--quick", opt, "100"],
                       capture_output=True, text=True)
    check(p.returncode != 0 and opt in p.stderr, "run.py %s 100 stops naming it (exit %d)" % (opt, p.returncode))
p = subprocess.run([sys.executable, run, "--build", build, "--out", os.path.join(tmp, "out4"), "--quick", "--mixes",
                    "small", "--jobs", "1", "--reorder", "3", "--retransmit", "1"], capture_output=True, text=True)
check(p.returncode == 0 and "small-4MB-reorder3-retransmit1.pcap:" in p.stdout,
      "run.py --reorder 3 --retransmit 1 --quick names and times its capture (%d: %s)" % (p.returncode, p.stdout[-300:]))

# --tls: a share of the connections carry TLS, which wirelint passes over.
tls = os.path.join(tmp, "tls.pcap")
subprocess.run([sys.executable, gen, tls, "--size", "2", "--tls", "50"], check=True, stdout=subprocess.DEVNULL)
s_t, _ = summary(tls)
conns, other = s_t.get("connections", 0), s_t.get("non_http_connections", 0)
check(conns and 0.25 * conns < other < 0.75 * conns and s_t.get("http_connections", 0) + other == conns,
      "--tls 50: about half the connections are not HTTP (%s of %s), the others are" % (other, conns))
check(s_t.get("transactions", 0) > 100 and not s_t.get("parse_errors") and not s_t.get("gaps"),
      "the HTTP connections' transactions are read, no parse error, no hole (%s)" % s_t)
data = open(tls, "rb").read()
check(data.count(b"\x01\xbb") > 0 and b"HTTP/1.1" in data, "port 443 and HTTP in one capture")
p = subprocess.run([os.path.join(build, "bench", "llhttp_floor"), tls], capture_output=True, text=True)
check(p.returncode == 0 and (" %d requests, " % s_t.get("transactions", -1)) in p.stdout,
      "llhttp_floor parses the HTTP connections' requests (%r)" % p.stdout.strip())
p = subprocess.run([sys.executable, gen, os.path.join(tmp, "bad.pcap"), "--size", "1", "--tls", "100"],
                   capture_output=True, text=True)
check(p.returncode != 0 and "--tls" in p.stderr, "gen.py --tls 100 stops naming it (exit %d)" % p.returncode)
p = subprocess.run([sys.executable, run, "--build", build, "--out", os.path.join(tmp, "out-tls"), "--quick", "--mixes",
                    "small", "--jobs", "1", "--tls", "50"], capture_output=True, text=True)
check(p.returncode == 0 and "small-4MB-tls50.pcap:" in p.stdout,
      "run.py --tls 50 --quick names and times its capture (%d: %s)" % (p.returncode, (p.stdout + p.stderr)[-300:]))
p = subprocess.run([sys.executable, run, "--build", build, "--out", os.path.join(tmp, "out-tls"), "--quick", "--tls", "-1"],
                   capture_output=True, text=True)
check(p.returncode != 0 and "--tls" in p.stderr, "run.py --tls -1 stops naming it (exit %d)" % p.returncode)

# --connect: a share of the connections are CONNECT tunnels, which wirelint passes over after the 200.
tun = os.path.join(tmp, "connect.pcap")
subprocess.run([sys.executable, gen, tun, "--size", "2", "--tls", "30", "--connect", "40"], check=True,
               stdout=subprocess.DEVNULL)
s_c, _ = summary(tun)
conns, tunnels = s_c.get("connections", 0), s_c.get("tunnels", 0)
check(conns and 0.2 * conns < tunnels < 0.6 * conns and 0.1 * conns < s_c.get("non_http_connections", 0) < 0.5 * conns,
      "--tls 30 --connect 40: about 40%% of the connections are tunnels (%s of %s), about 30%% not HTTP (%s)"
      % (tunnels, conns, s_c.get("non_http_connections")))
check(s_c.get("tunnel_bytes", 0) > 0.3 * s_c.get("bytes", 1) and not s_c.get("parse_errors") and not s_c.get("gaps"),
      "the tunnels carry their share of the bytes, counted and passed over; no parse error, no hole (%s)" % s_c)
data = open(tun, "rb").read()
check(data.count(b"CONNECT t") == tunnels and b"HTTP/1.1 200 Connection Established\r\n\r\n" in data,
      "one CONNECT a tunnel, answered with a 200")
p = subprocess.run([os.path.join(build, "bench", "llhttp_floor"), tun], capture_output=True, text=True)
check(p.returncode == 0 and (" %d requests, %d responses" % (s_c.get("transactions", -1), s_c.get("responses", -1)))
      in p.stdout, "llhttp_floor parses wirelint's requests and responses, the tunnels' too (%r)" % p.stdout.strip())
for bad in (["--connect", "100"], ["--tls", "50", "--connect", "50"]):
    p = subprocess.run([sys.executable, gen, os.path.join(tmp, "bad.pcap"), "--size", "1", *bad],
                       capture_output=True, text=True)
    check(p.returncode != 0 and "--connect" in p.stderr, "gen.py %s stops naming --connect (exit %d)" % (" ".join(bad), p.returncode))
    p = subprocess.run([sys.executable, run, "--build", build, "--out", os.path.join(tmp, "out-tun"), "--quick", *bad],
                       capture_output=True, text=True)
    check(p.returncode != 0 and "--connect" in p.stderr, "run.py %s stops naming --connect (exit %d)" % (" ".join(bad), p.returncode))
p = subprocess.run([sys.executable, run, "--build", build, "--out", os.path.join(tmp, "out-tun"), "--quick", "--mixes",
                    "small", "--jobs", "1", "--connect", "40"], capture_output=True, text=True)
check(p.returncode == 0 and "small-4MB-connect40.pcap:" in p.stdout,
      "run.py --connect 40 --quick names and times its capture (%d: %s)" % (p.returncode, (p.stdout + p.stderr)[-300:]))

# --conns: that many connections at once, the file named for it, and bad counts refused.
many = os.path.join(tmp, "out3")
p = subprocess.run([sys.executable, run, "--build", build, "--out", many, "--quick", "--mixes", "small", "--jobs", "1",
                    "--conns", "300"], capture_output=True, text=True)
check(p.returncode == 0, "run.py --conns 300 --quick exits 0 (%d: %s)" % (p.returncode, p.stderr[-300:]))
made = sorted(m for m in os.listdir(many) if "-slice" not in m) if os.path.isdir(many) else []
check(made == ["small-4MB-c300.pcap"], "the capture is named for its connections: %s" % made)
if made:
    s, txns = summary(os.path.join(many, made[0]))
    check(s.get("http_connections", 0) >= 300, "and has 300 connections or more (%s)" % s.get("http_connections"))
    check("these are --conns 300" in p.stdout, "the targets say which shape they were measured on")
for bad in ("0", "70000"):
    for tool, args in ((gen, [os.path.join(tmp, "bad.pcap"), "--size", "1"]),
                       (run, ["--build", build, "--out", os.path.join(tmp, "out4"), "--quick"])):
        p = subprocess.run([sys.executable, tool, *args, "--conns", bad], capture_output=True, text=True)
        check(p.returncode != 0 and "--conns" in p.stderr, "%s --conns %s stops naming --conns (exit %d)"
              % (os.path.basename(tool), bad, p.returncode))

# --mix web: browsers' heads, and nothing in them a rule should report.
web = os.path.join(tmp, "web.pcap")
p = subprocess.run([sys.executable, gen, web, "--size", "4", "--mix", "web", "--violations", "0"], check=True,
                   capture_output=True, text=True)
made_txns = int(p.stdout.split()[-2])
s_w, txns = summary(web)
check(s_w.get("transactions") == made_txns and made_txns > 200,
      "--mix web: wirelint reads the %d transactions gen.py wrote (%s)" % (made_txns, s_w.get("transactions")))
check(s_w.get("findings") == 0 and not s_w.get("parse_errors") and not s_w.get("gaps"),
      "--mix web --violations 0: no finding, no parse error, no hole (%s)" % s_w.get("by_rule"))
check(set(s_w.get("by_status", {})) == {"200", "201", "304"} and s_w["by_status"]["304"] > 0.05 * made_txns,
      "pages, assets, API calls and their POSTs' 201s, and assets asked for again: %s" % s_w.get("by_status"))
reqs = [t for t in txns if t.get("method") == "GET"]
check(reqs and min(t["request_body"] for t in reqs) == 0, "GETs without content")
p = subprocess.run([os.path.join(build, "bench", "llhttp_floor"), web], capture_output=True, text=True)
check(p.returncode == 0 and (" %d requests, " % made_txns) in p.stdout,
      "llhttp_floor parses as many requests (%r)" % p.stdout.strip())
data = open(web, "rb").read()
check(data.count(b"\r\nCookie: ") >= made_txns and data.count(b"\r\nsec-ch-ua-platform: ") >= made_txns,
      "each request carries a browser's fields")
subprocess.run([sys.executable, gen, web, "--size", "4", "--mix", "web", "--violations", "10"], check=True,
               stdout=subprocess.DEVNULL)
s_w, _ = summary(web)
planted = s_w.get("by_rule", {}).get("content-type-invalid", 0)
check(set(s_w.get("by_rule", {})) == {"content-type-invalid"} and 0.05 * made_txns < planted < 0.15 * made_txns,
      "--mix web --violations 10: only the fault planted, on about a tenth (%s)" % s_w.get("by_rule"))
webout = os.path.join(tmp, "out-web")
p = subprocess.run([sys.executable, run, "--build", build, "--out", webout, "--quick", "--mixes", "web", "--jobs", "1"],
                   capture_output=True, text=True)
check(p.returncode == 0 and "web-8MB.pcap:" in p.stdout and "wirelint -j1 " in p.stdout,
      "run.py --mixes web --quick names and times the web capture (%d: %s)" % (p.returncode, (p.stdout + p.stderr)[-300:]))
p = subprocess.run([sys.executable, run, "--build", build, "--out", webout, "--quick", "--mixes", "web,huge"],
                   capture_output=True, text=True)
check(p.returncode != 0 and "huge" in p.stderr, "run.py --mixes huge stops naming it (exit %d)" % p.returncode)

# --pcapng: the packets of the pcap, with their times, in Enhanced Packet Blocks after one section and interface.
ng = os.path.join(tmp, "whole.pcapng")
subprocess.run([sys.executable, gen, ng, "--size", "3", "--pcapng"], check=True, stdout=subprocess.DEVNULL)
data = open(ng, "rb").read()
blocks, off = [], 0
while off + 8 <= len(data):
    btype, blen = int.from_bytes(data[off:off + 4], "little"), int.from_bytes(data[off + 4:off + 8], "little")
    ok = blen >= 12 and blen % 4 == 0 and off + blen <= len(data) and data[off + blen - 4:off + blen] == data[off + 4:off + 8]
    check(ok, "pcapng block at %d: whole, its length at both ends" % off)
    if not ok:
        break
    blocks.append((btype, data[off + 8:off + blen - 4]))
    off += blen
check(off == len(data), "the pcapng file is whole blocks")
check([t for t, _ in blocks[:2]] == [0x0A0D0D0A, 1] and all(t == 6 for t, _ in blocks[2:]),
      "a section header, an interface, then packet blocks")
check(blocks[1][1][:2] == b"\x01\x00", "the interface is Ethernet")
raw = open(whole, "rb").read()
ts, off = [], 24
while off < len(raw):
    ts.append(int.from_bytes(raw[off:off + 4], "little") * 1000000 + int.from_bytes(raw[off + 4:off + 8], "little"))
    off += 16 + int.from_bytes(raw[off + 8:off + 12], "little")
epbs = blocks[2:]
same = len(epbs) > 1000 and all(
    b[20:20 + int.from_bytes(b[12:16], "little")] == w[i] and
    (int.from_bytes(b[4:8], "little") << 32 | int.from_bytes(b[8:12], "little")) == ts[i]
    for i, (_, b) in enumerate(epbs))
check(same, "each of the %d packets is the pcap's, with its time" % len(epbs))
s_ng, _ = summary(ng)
check(s_ng.get("packets") == len(epbs), "wirelint reads every packet (%s of %d)" % (s_ng.get("packets"), len(epbs)))
ngout = os.path.join(tmp, "out5")
p = subprocess.run([sys.executable, run, "--build", build, "--out", ngout, "--quick", "--mixes", "small", "--jobs", "1",
                    "--pcapng"], capture_output=True, text=True)
check(p.returncode == 0, "run.py --pcapng --quick exits 0 (%d: %s)" % (p.returncode, p.stderr[-300:]))
made = sorted(m for m in os.listdir(ngout) if "-slice" not in m) if os.path.isdir(ngout) else []
check(made == ["small-4MB.pcapng"], "the capture is named pcapng: %s" % made)
check("wirelint -j1 " in p.stdout and "these are --pcapng" in p.stdout, "and is timed, its format said")

finish()
