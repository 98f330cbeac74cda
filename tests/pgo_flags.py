#!/usr/bin/env python3
"""A profile-guided build configured with C flags of its own builds, its profile fitting (cmake/pgo.cmake).

The instrumented build must be compiled with the flags the final one is,
or the profile does not fit the code (GCC: "coverage-mismatch", an error
by default).  So: a fresh build, configured with CMAKE_C_FLAGS that change
what the compiler inlines, builds wirelint without a coverage-mismatch or
missing-profile diagnostic, and the wirelint it makes reads a capture.

    pgo_flags.py SOURCE_DIR C_COMPILER
"""
import os
import subprocess
import sys
import tempfile

src, cc = sys.argv[1], sys.argv[2]
scratch = tempfile.TemporaryDirectory()  # removed at exit, pass or fail
build = os.path.join(scratch.name, "build")
flags = "-fno-inline-small-functions"
cfg = subprocess.run(["cmake", "-S", src, "-B", build, "-DCMAKE_BUILD_TYPE=RelWithDebInfo", "-DCMAKE_C_COMPILER=" + cc,
                      "-DWIRELINT_TESTS=OFF", "-DWIRELINT_PGO=ON", "-DCMAKE_C_FLAGS=" + flags],
                     capture_output=True, text=True)
if cfg.returncode != 0:
    sys.exit("configure failed: %s" % cfg.stderr[-500:])
env = dict(os.environ)
env.pop("MAKEFLAGS", None)
b = subprocess.run(["cmake", "--build", build, "--target", "wirelint", "--parallel", str(os.cpu_count() or 1)],
                   capture_output=True, text=True, env=env, timeout=900)
out = b.stdout + b.stderr
failures = []
if b.returncode != 0:
    failures.append("the build failed (%d): %s" % (b.returncode, out[-800:]))
for diag in ("coverage-mismatch", "missing-profile"):
    if diag in out:
        lines = [l for l in out.splitlines() if diag in l]
        failures.append("%d %s diagnostics, the first: %s" % (len(lines), diag, lines[0]))
cache = open(os.path.join(build, "pgo", "build", "CMakeCache.txt")).read() if os.path.exists(
    os.path.join(build, "pgo", "build", "CMakeCache.txt")) else ""
if "CMAKE_C_FLAGS:STRING=" + flags not in cache:
    failures.append("the instrumented build was not configured with CMAKE_C_FLAGS=%s" % flags)
if not failures:
    r = subprocess.run([os.path.join(build, "wirelint"), "--fail-on", "none", os.path.join(src, "captures", "demo.pcap")],
                       capture_output=True, text=True)
    if r.returncode != 0 or "summary:" not in r.stdout:
        failures.append("the wirelint built does not read captures/demo.pcap (%d): %s" % (r.returncode, r.stderr[-300:]))
for f in failures:
    print("FAIL:", f)
if failures:
    sys.exit(1)
print("built with CMAKE_C_FLAGS=%s, the profile fitting" % flags)
