#!/usr/bin/env python3
"""Output goes out in blocks, yet never waits long (docs/cli.md, "Signals and output").

1. A packet piped in is judged at once, and its findings reach the output
   while wirelint waits for more input: a closed connection whose 302
   lacks Location (two findings) is fed through a pipe that the test keeps
   open, with -o FILE, at -j 1 and -j 2; the findings must be in FILE
   within 5 s while wirelint still runs (reading had waited for 64 KiB of
   input, and -j for a full batch), and once the pipe is closed the output
   is what reading the file gives.
2. A capture where every response breaks a rule (bench/gen.py
   --violations 100: thousands of findings) is written in blocks: under
   strace, the write(2) calls to the output, to a file and to a pipe, are
   fewer than one in 20 findings (a write per finding was a fifth of the
   run).  Skipped where strace is missing.
3. A terminal gets every line as it is complete (checked with a pty).

    output_pacing.py WIRELINT
"""
import os
import pty
import re
import shutil
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
wirelint = sys.argv[1]
scratch = tempfile.TemporaryDirectory()  # removed at exit, pass or fail
tmp = scratch.name


demo = os.path.join(root, "captures", "demo.pcap")

# 1. Findings while waiting for input: a connection whose 302 lacks
#    Location, closed, so that it is judged and written before the input ends.
sys.path.insert(0, os.path.join(root, "tests", "cases"))
import mkpcap  # noqa: E402

from e2e_checks import check, finish
closed = os.path.join(tmp, "closed.pcap")
mkpcap.write(closed, mkpcap.build([
    "conn a 10.0.0.1:40000 10.0.0.2:80",
    'a c "GET /old HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n"',
    'a s "HTTP/1.1 302 Found\\r\\nContent-Length: 0\\r\\n\\r\\n"',
    "a c fin",
    "a s fin",
]))
for jobs in ("1", "2"):
    out = os.path.join(tmp, "waiting-%s.txt" % jobs)
    p = subprocess.Popen([wirelint, "-j", jobs, "-q", "--fail-on", "none", "-o", out, "-"], stdin=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    try:
        p.stdin.write(open(closed, "rb").read())
        p.stdin.flush()
        seen, deadline = "", time.time() + 5
        while time.time() < deadline:
            seen = open(out).read() if os.path.exists(out) else ""
            if seen.count("\n") >= 2:
                break
            time.sleep(0.05)
        check(seen.count("\n") >= 2 and p.poll() is None,
              "-j %s: the findings are in the output while wirelint waits for more input (%d lines, running: %s)"
              % (jobs, seen.count("\n"), p.poll() is None))
    finally:
        p.stdin.close()
        p.wait(timeout=30)
alone = subprocess.run([wirelint, "-q", "--fail-on", "none", closed], capture_output=True, text=True).stdout
for jobs in ("1", "2"):
    check(open(os.path.join(tmp, "waiting-%s.txt" % jobs)).read() == alone.replace(closed + ":", "-:"),
          "-j %s: the output through the pipe is what reading the file gives" % jobs)
check("missing-location" in alone, "the capture has its finding")
whole = subprocess.run([wirelint, "-q", "--fail-on", "none", demo], capture_output=True, text=True).stdout

# 2. Blocks, counted under strace.
if shutil.which("strace"):
    cap = os.path.join(tmp, "broken.pcap")
    subprocess.run([sys.executable, os.path.join(root, "bench", "gen.py"), cap, "--size", "2", "--violations", "100"],
                   check=True, stdout=subprocess.DEVNULL)
    # LeakSanitizer stops a process it cannot ptrace, and strace holds it:
    # the sanitizer build's other tests check for leaks.
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":")
    for target in ("file", "pipe"):
        trace = os.path.join(tmp, "trace-%s" % target)
        dest = os.path.join(tmp, "broken.txt")
        cmd = ["strace", "-f", "-e", "trace=write", "-o", trace, wirelint, "-q", "--fail-on", "none", "-j", "1"]
        if target == "file":
            r = subprocess.run(cmd + ["-o", dest, cap], capture_output=True, env=env)
            text = open(dest).read()
        else:
            r = subprocess.run(cmd + [cap], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
            text = r.stdout.decode()
        findings = text.count("\n")
        writes = sum(1 for l in open(trace) if re.search(r"\bwrite\(1,", l) or re.search(r"\bwrite\([3-9],", l))
        check(r.returncode == 0 and findings > 2000, "%s: thousands of findings (%d), exit 0 (%d: %s)"
              % (target, findings, r.returncode, r.stderr.decode(errors="replace")[-300:]))
        check(0 < writes < findings / 20, "%s: %d writes for %d findings: written in blocks" % (target, writes, findings))
else:
    print("strace is not installed: the count of writes is not checked")

# 3. A terminal: line by line.
pid, fd = pty.fork()
if pid == 0:
    os.execv(wirelint, [wirelint, "-q", "--fail-on", "none", demo])
buf = b""
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    buf += chunk
os.waitpid(pid, 0)
check(buf.decode(errors="replace").replace("\r\n", "\n") == whole, "a terminal gets the same lines")

finish()
