#!/usr/bin/env python3
"""Runs one .case: builds its pcap, runs wirelint, compares with the .expect file.

The .expect file lists, in output order, one line per transaction:

    T METHOD URI STATUS [interim] [incomplete] : RULE,RULE    (- for none)

with - for a method, URI or status that is not in the capture, and any
number of counter assertions from the jsonl summary:

    C COUNTER VALUE          (a dotted name reaches into the summary: by_severity.info)

wirelint runs four times, with its default -j and with -j 1, each reading
the file and reading it from a pipe on standard input, and each run must give what
the .expect says (e2e.jobs_identical holds other -j values to -j 1).  The runs
from a pipe judge every transaction with WIRELINT_VERDICTS=check: where the
findings kept for the same inputs (rules/verdict.h) would have been given,
they must be the rules' own, or wirelint stops.

    run_case.py WIRELINT CASE [--update]   (--update prints the actual lines)
"""
import json
import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import mkpcap  # noqa: E402

wirelint, case = sys.argv[1], sys.argv[2]
expect = case[: -len(".case")] + ".expect"
scratch = tempfile.TemporaryDirectory()  # removed at exit, pass or fail
tmp = scratch.name
pcap = os.path.join(tmp, os.path.basename(case)[:-5] + ".pcap")
extra = mkpcap.from_case(case, pcap)


def run(jobs):
    """The transaction lines and the summary of wirelint's run with jobs (extra arguments; "-": the
    capture from standard input)."""
    stdin = "-" in jobs
    with open(pcap, "rb") as f:
        data = f.read()
    env = dict(os.environ, WIRELINT_VERDICTS="check") if stdin else None
    p = subprocess.run([wirelint, *[j for j in jobs if j != "-"], "--format", "jsonl", "--fail-on", "none", *extra,
                        "-" if stdin else pcap], input=data if stdin else b"", capture_output=True, timeout=60, env=env)
    if p.returncode != 0:
        sys.exit("wirelint %s exited %d: %s" % (" ".join(jobs), p.returncode, p.stderr.decode(errors="replace")))
    objs = [json.loads(l) for l in p.stdout.decode().splitlines()]
    lines = []
    for o in objs:
        if o["type"] != "transaction":
            continue
        flags = [f for f in ("interim", "incomplete") if o[f]]
        st = "-" if o["status"] is None else str(o["status"])
        lines.append(" ".join(["T", o["method"] or "-", o["uri"] or "-", st] + flags + [":", ",".join(o["findings"]) or "-"]))
    return lines, objs[-1]


# The default -j (the cores: worker threads on a machine with more than
# one) and -j 1 (one thread, which some paths take only there); and the
# capture from standard input, a pipe, where no byte can be read again
# from the file (retransmissions are compared with copies, not with the
# file, and payloads go to the workers copied), each transaction judged
# by the rules and checked against the verdict kept for its inputs.  Each
# must give what the .expect says.
runs = [([], run([])), (["-j", "1"], run(["-j", "1"])), (["-j", "1", "-"], run(["-j", "1", "-"])),
        (["-"], run(["-"]))]
got, summary = runs[0][1]
if "--update" in sys.argv:
    print("\n".join(got))
    for k, v in summary.items():
        if isinstance(v, int) and v:
            print("# C %s %d" % (k, v))
        elif k == "by_severity":
            for sk, sv in v.items():
                print("# C by_severity.%s %d" % (sk, sv))
    sys.exit(0)
want_t, want_c = [], []
for line in open(expect):
    line = line.strip()
    if line.startswith("T "):
        want_t.append(line)
    elif line.startswith("C "):
        want_c.append(line.split())
problems = []
for jobs, (got, summary) in runs:
    label = (" ".join(j for j in jobs if j != "-") or "the default -j") + (", from a pipe" if "-" in jobs else "")
    if got != want_t:
        problems.append("%s: transactions differ\n--- expected\n%s\n--- got\n%s"
                        % (label, "\n".join(want_t), "\n".join(got)))
    for _, k, v in want_c:
        got_v = summary
        for part in k.split("."):  # by_severity.info
            got_v = got_v.get(part) if isinstance(got_v, dict) else None
        if got_v != int(v):
            problems.append("%s: counter %s: %s, want %s" % (label, k, got_v, v))
if problems:
    print("\n".join(problems))
    sys.exit(1)
print("%s: %d transactions, %d counters as expected, with the default -j and -j 1, from the file and from a pipe"
      % (os.path.basename(case), len(got), len(want_c)))
