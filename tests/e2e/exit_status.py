#!/usr/bin/env python3
"""Exit statuses and error messages: 0 clean, 1 findings, 2 usage or input errors."""
import os
import subprocess
import sys
import tempfile

wirelint = sys.argv[1]
failures = []


def run(*args):
    return subprocess.run([wirelint, *args], capture_output=True, timeout=60)


def expect(name, args, code, stderr_has=(), stdout_has=()):
    p = run(*args)
    err, out = p.stderr.decode(errors="replace"), p.stdout.decode(errors="replace")
    problems = []
    if p.returncode != code:
        problems.append("exit %d, want %d" % (p.returncode, code))
    for s in stderr_has:
        if s not in err:
            problems.append("stderr lacks %r" % s)
    for s in stdout_has:
        if s not in out:
            problems.append("stdout lacks %r" % s)
    if problems:
        failures.append("%s: %s\n  stdout: %s\n  stderr: %s" % (name, "; ".join(problems), out[-500:], err[-500:]))


scratch = tempfile.TemporaryDirectory()  # removed at exit, pass or fail
tmp = scratch.name
demo = "captures/demo.pcap"
clean = "captures/clean.pcap"

expect("findings at error level", [demo], 1, stdout_has=["[missing-location]"])
expect("clean capture", [clean], 0, stdout_has=["findings: 0"])
expect("-r like tcpdump", ["-r", clean], 0)
expect("--fail-on none", ["--fail-on", "none", demo], 0)
expect("--fail-on warning", ["--fail-on", "warning", demo], 1)
expect("--fail-on info", ["--fail-on", "info", clean], 0)
expect("bad --fail-on", ["--fail-on", "fatal", demo], 2, stderr_has=["--fail-on", "fatal"])
expect("bad --format", ["--format", "xml", demo], 2, stderr_has=["--format", "xml"])
expect("unknown option", ["--bogus", demo], 2, stderr_has=["unknown option '--bogus'"])
expect("missing argument", [demo, "-o"], 2, stderr_has=["needs an argument"])
expect("no file", [], 2, stderr_has=["no capture file given"])
expect("bad number", ["--max-connections", "0", demo], 2, stderr_has=["--max-connections"])
expect("--help", ["--help"], 0, stdout_has=["Usage: wirelint"])
expect("--version", ["--version"], 0, stdout_has=["wirelint "])
expect("missing file", ["no-such.pcap"], 2, stderr_has=["wirelint: no-such.pcap: No such file"])

notcap = os.path.join(tmp, "notes.txt")
with open(notcap, "w") as f:
    f.write("this is not a capture file\n")
expect("not a capture", [notcap], 2, stderr_has=["wirelint: %s: " % notcap])

# A capture cut in the middle of a record: the findings read before the
# damage are reported, the damage is named, and the status is 2.
data = open(demo, "rb").read()
trunc = os.path.join(tmp, "truncated.pcap")
with open(trunc, "wb") as f:
    f.write(data[: len(data) - 40])
expect("truncated capture", [trunc], 2,
       stderr_has=["wirelint: %s: " % trunc, "truncated"],
       stdout_has=["[missing-location]", "[head-body]"])

# One bad file among good ones: the good ones are still analysed.
expect("one bad file of two", [clean, "no-such.pcap", demo], 2, stdout_has=["[missing-location]", "3 files"])

expect("unwritable output", ["-o", os.path.join(tmp, "no", "such", "dir", "out.txt"), demo], 2,
       stderr_has=["cannot write"])
outfile = os.path.join(tmp, "report.txt")
expect("-o FILE", ["-o", outfile, demo], 1)
if "[missing-allow]" not in open(outfile).read():
    failures.append("-o FILE: report not written to the file")

# Loopback captures carry offloaded TCP checksums: counted, and still analysed.
expect("--verify-checksums", ["--verify-checksums", demo], 1,
       stdout_has=["TCP segments with a bad checksum", "[missing-location]", "[head-body]"])
expect("-q drops the summary", ["-q", clean], 0)
if "summary:" in run("-q", demo).stdout.decode():
    failures.append("-q: summary still printed")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("all exit statuses as expected")
