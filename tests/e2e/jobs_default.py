#!/usr/bin/env python3
"""-j's default is the cores the process may use, as nproc counts them (docs/cli.md).

wirelint reads a capture from a pipe that the test holds open, so that it
waits with its threads started, and the test counts them in
/proc/PID/task: with the process allowed one core (sched_setaffinity) it
reads in one thread; allowed two (on a machine that has them), it runs
two workers beside the reading thread (fewer if the machine's cgroup v2
quota allows less, which the test reads on its own); an explicit -j 3
runs three whatever the affinity.  (unit.cpus tests how wirelint reads
the quota.)

    jobs_default.py WIRELINT
"""
import os
import struct
import subprocess
import sys
import time

from e2e_checks import check, finish

wirelint = sys.argv[1]


def threads_with(cpus, args):
    """The threads of wirelint (args, reading a pipe) once started, with affinity cpus."""
    p = subprocess.Popen([wirelint, "--fail-on", "none", "-q", *args, "-"], stdin=subprocess.PIPE,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         preexec_fn=lambda: os.sched_setaffinity(0, cpus))
    try:
        p.stdin.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        p.stdin.flush()
        # The threads start before the first packet is read; wait until the count settles.
        seen, last, deadline = 0, -1, time.time() + 10
        while time.time() < deadline:
            n = len(os.listdir("/proc/%d/task" % p.pid))
            if n == last and n > 0:
                seen += 1
                if seen >= 5:
                    break
            else:
                seen = 0
            last = n
            time.sleep(0.05)
        return last
    finally:
        p.stdin.close()
        p.wait(timeout=30)


def quota_cores():
    """The cores this process's cgroup v2 quota allows (cpu.max, lowest up the tree), or None: the test's own reading."""
    mount = root = None
    with open("/proc/self/mountinfo") as f:
        for line in f:
            pre, sep, post = line.partition(" - ")
            if sep and post.startswith("cgroup2 "):
                root, mount = pre.split()[3:5]
                break
    if not mount:
        return None
    path = next((l[3:].strip() for l in open("/proc/self/cgroup") if l.startswith("0::")), None)
    if path is None:
        return None
    if root != "/" and (path == root or path.startswith(root + "/")):
        path = path[len(root):]
    parts = [p for p in path.split("/") if p]
    lowest = None
    for i in range(len(parts), -1, -1):
        try:
            q, per = open(os.path.join(mount, *parts[:i], "cpu.max")).read().split()
            if q != "max" and int(per) > 0:
                n = -(-int(q) // int(per))
                lowest = n if lowest is None else min(lowest, n)
        except (OSError, ValueError):
            pass
    return lowest


def threads_for(workers):
    return 1 if workers <= 1 else workers + 1


allowed = sorted(os.sched_getaffinity(0))
quota = quota_cores()
one = threads_with({allowed[0]}, [])
check(one == 1, "allowed one core, the default reads in one thread (%d threads)" % one)
if len(allowed) >= 2:
    two = threads_with(set(allowed[:2]), [])
    want = threads_for(min(2, quota) if quota else 2)
    check(two == want, "allowed two cores (cgroup quota: %s), the default runs %d threads (%d)" % (quota, want, two))
else:
    print("one core only: the two-core case is not run")
forced = threads_with({allowed[0]}, ["-j", "3"])
check(forced == 4, "-j 3 runs three workers whatever the affinity (%d threads)" % forced)

finish()
