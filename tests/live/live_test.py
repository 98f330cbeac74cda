#!/usr/bin/env python3
"""Live capture on the loopback interface, with a real server and curl.

    live_test.py WIRELINT

Starts tests/live/server.py on 127.0.0.1 at a free port, runs wirelint -i lo
with a filter for that port, and drives traffic with curl: findings come out
while the capture runs, -c and --duration stop it, SIGINT and SIGTERM give a
summary and the exit status --fail-on says, -w writes a capture that gives
the same findings when read back, -Z drops privileges (and refuses to go on
when it cannot), --stats-interval prints status lines.  Every process is
started with a deadline and stopped by the test.

Capturing needs root, or CAP_NET_RAW and CAP_NET_ADMIN: without them the
test says so and is skipped (exit 77); the CI runs as root.
"""
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time

wirelint = os.path.abspath(sys.argv[1])
here = os.path.dirname(os.path.abspath(__file__))
scratch = tempfile.TemporaryDirectory()  # removed at exit, pass or fail
tmp = scratch.name
failures = []


def check(name, ok, detail=""):
    if not ok:
        failures.append("%s%s" % (name, ": " + detail if detail else ""))


def can_capture():
    if os.geteuid() == 0:
        return True
    status = open("/proc/self/status").read()
    eff = int([l for l in status.splitlines() if l.startswith("CapEff:")][0].split()[1], 16)
    return bool(eff & (1 << 13))  # CAP_NET_RAW


if not can_capture():
    print("skipped: capturing on lo needs root, or CAP_NET_RAW and CAP_NET_ADMIN (docs/live.md); the CI runs as root")
    sys.exit(77)

server = subprocess.Popen([sys.executable, os.path.join(here, "server.py")], stdout=subprocess.PIPE)
port = int(server.stdout.readline())
procs = [server]


def curl(path, *extra):
    subprocess.run(["curl", "-s", "-o", "/dev/null", "--max-time", "10", *extra,
                    "http://127.0.0.1:%d%s" % (port, path)], timeout=20)


def start(*args):
    """Starts wirelint on lo for the server's port; returns once it listens."""
    p = subprocess.Popen([wirelint, "-i", "lo", *args, "tcp port %d" % port], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, bufsize=0)
    procs.append(p)
    deadline = time.time() + 15
    err = b""
    while time.time() < deadline:
        r, _, _ = select.select([p.stderr.fileno()], [], [], 0.5)
        if r:
            line = p.stderr.readline()
            err += line
            if b"listening on lo" in line:
                return p
        if p.poll() is not None:
            break
    raise SystemExit("wirelint did not start listening: %s" % err.decode(errors="replace"))


pending = {}


def read_line(p, timeout):
    """The next line wirelint wrote, or None after timeout (reads the pipe's fd, unbuffered)."""
    buf = pending.setdefault(p.pid, b"")
    deadline = time.time() + timeout
    while b"\n" not in buf:
        left = deadline - time.time()
        if left <= 0:
            pending[p.pid] = buf
            return None
        r, _, _ = select.select([p.stdout.fileno()], [], [], left)
        if not r:
            continue
        chunk = os.read(p.stdout.fileno(), 65536)
        if not chunk:
            pending[p.pid] = buf
            return None
        buf += chunk
    line, buf = buf.split(b"\n", 1)
    pending[p.pid] = buf
    return line


def finish(p, sig=None, timeout=20):
    if sig:
        p.send_signal(sig)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        failures.append("wirelint did not stop within %d s" % timeout)
    out = pending.pop(p.pid, b"") + out
    return p.returncode, out.decode(errors="replace"), err.decode(errors="replace")


try:
    # 1. A finding comes out while the capture runs; SIGINT then gives the
    #    summary and exit status 1 (an error finding, --fail-on error).
    p = start("--format", "jsonl")
    curl("/ok")
    curl("/redirect")
    seen, deadline = None, time.time() + 10
    while time.time() < deadline and not seen:
        line = read_line(p, 1)
        if line:
            o = json.loads(line)
            if o["type"] == "finding" and o["rule"] == "missing-location":
                seen = o
    check("live: the finding is written while the capture runs", seen is not None and p.poll() is None)
    rc, out, err = finish(p, signal.SIGINT)
    summary = json.loads(out.splitlines()[-1]) if out.strip() else {}
    check("live: SIGINT gives a summary and exit status 1", rc == 1 and summary.get("type") == "summary"
          and summary.get("transactions") == 2 and "kernel_dropped" in summary and "interface_dropped" in summary,
          "exit %d, %s" % (rc, out[-400:]))

    # 2. SIGTERM the same, and --fail-on none gives 0.
    p = start("--format", "jsonl", "--fail-on", "none")
    curl("/redirect")
    time.sleep(1.5)
    rc, out, err = finish(p, signal.SIGTERM)
    check("live: SIGTERM with --fail-on none: summary, exit 0", rc == 0 and '"type":"summary"' in out, out[-300:])

    # 3. -c stops after that many packets.
    p = start("--format", "jsonl", "-c", "6")
    curl("/ok")
    rc, out, err = finish(p, timeout=15)
    summary = json.loads(out.splitlines()[-1])
    check("live: -c 6 stops by itself after 6 packets", rc == 0 and summary["packets"] == 6, out[-300:])

    # 4. --duration stops after that long.
    t0 = time.time()
    p = start("--duration", "2")
    rc, out, err = finish(p, timeout=15)
    took = time.time() - t0
    check("live: --duration 2 stops after about 2 s", rc == 0 and 1.5 <= took < 8 and "summary:" in out,
          "%.1f s, exit %d" % (took, rc))
    check("live: the text summary names the interface", "summary: interface lo," in out, out[-400:])

    # 4b. -s: packets are cut at the snap length, and counted as such.
    p = start("--format", "jsonl", "-s", "80")
    curl("/ok")
    time.sleep(1.5)
    rc, out, err = finish(p, signal.SIGINT)
    summary = json.loads(out.splitlines()[-1]) if out.strip() else {}
    check("live: -s 80 cuts the packets with payload (pkt_truncated)", summary.get("pkt_truncated", 0) >= 2,
          out[-400:])

    # 5. --stats-interval prints status lines on stderr.
    p = start("--stats-interval", "1", "--duration", "3")
    curl("/ok")
    rc, out, err = finish(p, timeout=15)
    lines = [l for l in err.splitlines() if "packets" in l and "dropped" in l]
    check("live: --stats-interval 1 prints status lines", len(lines) >= 2, err[-400:])

    # 6. -w: the packets of the connection with a finding, read back with the same findings.
    evidence = os.path.join(tmp, "evidence.pcap")
    p = start("--format", "jsonl", "-w", evidence)
    curl("/ok")
    curl("/redirect")
    time.sleep(1.5)
    rc, out, err = finish(p, signal.SIGINT)
    live_findings = [(o["rule"], o["uri"]) for o in map(json.loads, out.splitlines()) if o["type"] == "finding"]
    back = subprocess.run([wirelint, "--format", "jsonl", "--fail-on", "none", evidence], capture_output=True,
                          timeout=30).stdout.decode()
    objs = [json.loads(l) for l in back.splitlines()]
    back_findings = [(o["rule"], o["uri"]) for o in objs if o["type"] == "finding"]
    uris = [o["uri"] for o in objs if o["type"] == "transaction"]
    check("live: -w writes the connection with the finding, which reads back the same",
          live_findings == [("missing-location", "/redirect")] and back_findings == live_findings and uris == ["/redirect"],
          "live %s, read back %s (%s)" % (live_findings, back_findings, uris))

    # 7. -Z drops privileges once the interface is open; an unknown user is refused.
    if os.geteuid() == 0:
        p = start("-Z", "nobody", "--duration", "5")
        time.sleep(0.5)
        uid = [l for l in open("/proc/%d/status" % p.pid).read().splitlines() if l.startswith("Uid:")][0].split()
        rc, out, err = finish(p, signal.SIGINT)
        check("live: -Z nobody runs as nobody", uid[1:] == ["65534"] * 4, " ".join(uid))
        r = subprocess.run([wirelint, "-i", "lo", "-Z", "no-such-user-here", "--duration", "1"], capture_output=True,
                           timeout=20)
        check("live: -Z with an unknown user stops, exit 2", r.returncode == 2 and b"no such user" in r.stderr,
              r.stderr.decode())

    # 8. Usage errors name what is wrong.
    r = subprocess.run([wirelint, "-i", "lo", "tcp port"], capture_output=True, timeout=20)
    check("live: a filter that does not compile is an error naming it", r.returncode == 2 and b"filter" in r.stderr,
          r.stderr.decode())
    r = subprocess.run([wirelint, "-i", "no-such-interface0", "--duration", "1"], capture_output=True, timeout=20)
    check("live: an unknown interface is an error naming it", r.returncode == 2 and b"no-such-interface0" in r.stderr,
          r.stderr.decode())
    r = subprocess.run([wirelint, "-D"], capture_output=True, timeout=20)
    check("live: -D lists lo", r.returncode == 0 and b".lo [" in r.stdout, r.stdout.decode())
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("live: findings while capturing, SIGINT/SIGTERM, -c, --duration, --stats-interval, -w, -Z, errors")
