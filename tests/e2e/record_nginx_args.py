#!/usr/bin/env python3
"""bench/record_nginx.sh's arguments (docs/performance.md): each one it cannot
take (out of range, not a decimal number, with a leading zero bash would
read as octal) stops it with status 2 and a message naming the option,
before it looks for nginx, tcpdump or root; one it does not know,
likewise.  Arguments
it takes get as far as looking for nginx, and its message says what to
install: wrk as well with --wrk.  The script runs with a PATH
that has none of nginx, tcpdump and ip (only dirname, which it uses
first), so that even if it took a bad argument it would stop there, never
start a server or a capture.

    record_nginx_args.py
"""
import os
import shutil
import subprocess
import tempfile

from e2e_checks import check, finish

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
script = os.path.join(root, "bench", "record_nginx.sh")
bash = shutil.which("bash")
scratch = tempfile.TemporaryDirectory()  # removed at exit
os.symlink(shutil.which("dirname"), os.path.join(scratch.name, "dirname"))
env = dict(os.environ, PATH=scratch.name)

for args, said in (
        (["--page", "0"], "--page takes 1 to 1048576 bytes, and not with --large"),
        (["--page", "1048577"], "--page takes 1 to 1048576 bytes, and not with --large"),
        (["--page", "x"], "--page takes 1 to 1048576 bytes, and not with --large"),
        (["--large", "--page", "390"], "--page takes 1 to 1048576 bytes, and not with --large"),
        (["--paths", "0"], "--paths takes 1 to 64"),
        (["--paths", "65"], "--paths takes 1 to 64"),
        (["--keepalive", "0"], "--keepalive takes a number of requests"),
        (["--mtu", "575"], "--mtu takes 576 to 65536, or 0 for the host's loopback"),
        (["--mtu", "65537"], "--mtu takes 576 to 65536, or 0 for the host's loopback"),
        (["--page", "010"], "--page takes 1 to 1048576 bytes, and not with --large"),
        (["--keepalive", "9999999999"], "--keepalive takes a number of requests"),
        (["--requests", "0"], "--requests takes 1 to 999999999"),
        (["--requests", "1e6"], "--requests takes 1 to 999999999"),
        (["--requests", "0100"], "--requests takes 1 to 999999999"),
        (["--requests", "1000000000"], "--requests takes 1 to 999999999"),
        (["--conns", "0"], "--conns takes 1 to 1024"),
        (["--conns", "1025"], "--conns takes 1 to 1024"),
        (["--conns", "-5"], "--conns takes 1 to 1024"),
        (["--port", "0"], "--port takes 1 to 65535"),
        (["--port", "65536"], "--port takes 1 to 65535"),
        (["--port", "80x"], "--port takes 1 to 65535"),
        (["--pages", "3"], "unknown argument --pages")):
    p = subprocess.run([bash, script, *args], capture_output=True, timeout=60, env=env)
    err = p.stderr.decode(errors="replace")
    check(p.returncode == 2 and ("record_nginx: " + said) in err and not p.stdout,
          "record_nginx.sh %s: exit %d, %r" % (" ".join(args), p.returncode, err))
for args in (["--page", "390", "--requests", "422402"], ["--page", "1048576"], ["--large"], ["--mtu", "0"],
             ["--conns", "1024", "--port", "65535", "--requests", "1"], ["--conns", "1", "--port", "1"],
             ["--wrk", "--large", "--paths", "3"]):
    p = subprocess.run([bash, script, *args], capture_output=True, timeout=60, env=env)
    err = p.stderr.decode(errors="replace")
    check(p.returncode == 1 and "record_nginx: nginx is not installed" in err,
          "record_nginx.sh %s: exit %d, %r (taken, it should stop at looking for nginx)" % (
              " ".join(args), p.returncode, err))
    # What to install names wrk only when the load is to be wrk.
    hint = "(apt-get install nginx-light tcpdump%s)" % (" wrk" if "--wrk" in args else "")
    check(hint + "\n" in err, "record_nginx.sh %s: %r does not end %r" % (" ".join(args), err, hint))
finish()
