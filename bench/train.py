#!/usr/bin/env python3
"""The training run of the profile-guided build (cmake/pgo.cmake): what an instrumented wirelint is run on.

    train.py WIRELINT DIR

Writes its captures into DIR with bench/gen.py (deterministic: the same
files every time), then runs WIRELINT over them the way wirelint is used:
the small-transaction and large-body mixes, connections that stay open for
the whole capture, the small mix again as pcapng (read by wirelint's own
reader), the repository's captures; text and JSON Lines; -j 1 and -j 2.
The instrumented program writes its profile (.gcda files) as each run
exits.  A run that fails stops the build, naming the command.
"""
import glob
import os
import subprocess
import sys

wirelint, out = sys.argv[1], sys.argv[2]
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.makedirs(out, exist_ok=True)


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # 0: no finding at the --fail-on level, 1: findings (the mixes have some on purpose).
    if p.returncode not in (0, 1):
        sys.exit("train: %s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr.decode(errors="replace")[-300:]))


caps = []
for name, args in (("small", ["--mix", "small", "--size", "12"]),
                   ("large", ["--mix", "large", "--size", "16"]),
                   ("persistent", ["--mix", "small", "--size", "4", "--persistent", "--urls", "1"]),
                   ("small-ng", ["--mix", "small", "--size", "4", "--pcapng"])):
    path = os.path.join(out, name + (".pcapng" if "--pcapng" in args else ".pcap"))
    if not os.path.exists(path):
        run([sys.executable, os.path.join(root, "bench", "gen.py"), path, *args, "--seed", "7"])
    caps.append(path)
caps += sorted(glob.glob(os.path.join(root, "captures", "*.pcap")))

for c in caps:
    run([wirelint, "-j", "1", c])
    run([wirelint, "-j", "1", "-F", "jsonl", "-o", os.devnull, c])
run([wirelint, "-j", "2", "-q", *caps[:3]])
print("train: %d captures" % len(caps))
