#!/usr/bin/env python3
"""bench/gen.py --per-conn, and bench/run.py passing it on (docs/performance.md).

gen.py --per-conn 1 writes a connection a transaction: wirelint counts as
many HTTP connections as transactions.  --per-conn 2-3 gives 2 or 3 each
(every connection but the few still open at the end).  The same arguments
give the same bytes.  A bad range, or --per-conn with --persistent, stops
gen.py and run.py with a message.  run.py --per-conn 1 --quick names and
times the capture of that shape, and says its targets were measured on it.

    bench_gen.py BUILD_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
build = sys.argv[1]
wirelint = os.path.join(build, "wirelint")
scratch = tempfile.TemporaryDirectory()  # removed at exit, pass or fail
tmp = scratch.name
gen = os.path.join(root, "bench", "gen.py")
run = os.path.join(root, "bench", "run.py")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


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

if failures:
    print("%d failure(s)" % len(failures))
    sys.exit(1)
print("ok")
