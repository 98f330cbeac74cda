#!/usr/bin/env bash
# Records a capture of the kind the issue's reference figures come from: a
# real nginx on 127.0.0.1 serving its 615-byte welcome page to a load
# generator (bench/load.c, like wrk: 64 keep-alive connections asking
# "GET /" one request at a time), taken with tcpdump on lo.  Needs root (for
# tcpdump), nginx (Debian's nginx-light or nginx) and tcpdump; nginx, tcpdump
# and the load stop with the script, whatever happens.  Then time it with
#   python3 bench/run.py --capture bench/out/nginx-load-384000.pcap
# With --paths K, nginx serves K pages (the welcome page with 1 to K
# comments after it, each a different size) and every connection asks
# for them in turn, as a wrk script cycling through URLs does.
# With --keepalive R nginx closes a connection after R requests, as its
# default (1000) does, and the load opens a new one in its place.
# With --large, the issue's second kind: nginx serves K files (--paths,
# 64 by default) of 2 KiB to 128 KiB (log-uniform, the same from run to
# run), every third an HTML page it compresses (the load accepts gzip,
# so these come chunked and gzip) and the others binary files it sends
# with their Content-Length; 32000 requests by default (about 680 MB).
# With --conns C the load keeps C connections rather than 64 (wrk's
# default is 10); files named ...-connsC.pcap.
# With --page B the page is B bytes rather than 615: the welcome page cut
# short, or followed by spaces (files named ...-pageB.pcap); the issue's
# capture, 836 bytes a transaction, fits a page of about 390.
# Everything runs in a network namespace of its own, whose loopback has
# a 1500-byte MTU and sends one segment a packet (no segmentation
# offload): frames as on an Ethernet link, as the issue's captures had,
# and the host's own loopback untouched.  --mtu 0 records on the host's
# loopback as it is (65536 bytes, segments of up to 64 KiB); needs ip
# (iproute2) otherwise.
# With --wrk the load is wrk itself (Debian's wrk, apt-get install wrk)
# rather than bench/load: wrk's two threads (one with --conns 1 or
# --requests 1), its own
# requests, and a Lua script that stops each thread after its share of
# the requests have been answered and, with --paths, asks for them in
# turn; files named ...-wrk.pcap.  wrk stops a thread without waiting
# for its other connections, so their last responses may be in the
# capture as well: up to --conns more than --requests.
# Usage: bench/record_nginx.sh [--requests N] [--conns C] [--paths K] [--keepalive R] [--large] [--page B] [--mtu M] [--port P] [--wrk] [--out FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
requests="" conns=64 port=18081 out="" npaths="" keepalive=1000000 large=0 mtu=1500 page=615 wrk=0
while (($#)); do
  case "$1" in
    --requests) requests=$2; shift 2 ;;
    --conns) conns=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --paths) npaths=$2; shift 2 ;;
    --keepalive) keepalive=$2; shift 2 ;;
    --large) large=1; shift ;;
    --wrk) wrk=1; shift ;;
    --mtu) mtu=$2; shift 2 ;;
    --page) page=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "record_nginx: unknown argument $1 (see the script's head)" >&2; exit 2 ;;
  esac
done
if ((large)); then requests=${requests:-32000} npaths=${npaths:-64}; else requests=${requests:-384000} npaths=${npaths:-1}; fi
# A number as the options take it: decimal, no sign, no leading zero
# (bash would read 010 as octal), at most 9 digits (no overflow).
is_num() { [[ "$1" =~ ^(0|[1-9][0-9]{0,8})$ ]]; }
# OPTION VALUE MIN MAX: VALUE a number from MIN to MAX, or stop naming OPTION.
in_range() { is_num "$2" && (($2 >= $3 && $2 <= $4)) || { echo "record_nginx: $1 takes $3 to $4" >&2; exit 2; }; }
in_range --requests "$requests" 1 999999999
in_range --conns "$conns" 1 1024
in_range --port "$port" 1 65535
in_range --paths "$npaths" 1 64
is_num "$keepalive" && ((keepalive >= 1)) || { echo "record_nginx: --keepalive takes a number of requests" >&2; exit 2; }
is_num "$mtu" && ((mtu == 0 || (mtu >= 576 && mtu <= 65536))) ||
  { echo "record_nginx: --mtu takes 576 to 65536, or 0 for the host's loopback" >&2; exit 2; }
is_num "$page" && ((page >= 1 && page <= 1048576)) && ! ((large && page != 615)) ||
  { echo "record_nginx: --page takes 1 to 1048576 bytes, and not with --large" >&2; exit 2; }
suffix=""
((large == 0)) || suffix+="-large"
((npaths == (large ? 64 : 1))) || suffix+="-paths$npaths"
((keepalive == 1000000)) || suffix+="-keepalive$keepalive"
((conns == 64)) || suffix+="-conns$conns"
((page == 615)) || suffix+="-page$page"
((mtu == 1500 || mtu == 0)) || suffix+="-mtu$mtu"
((wrk == 0)) || suffix+="-wrk"
out=${out:-bench/out/nginx-load-$requests$suffix.pcap}
load=${WIRELINT_BUILD_DIR:-build}/bench/load
tools="nginx tcpdump"
((mtu == 0)) || tools+=" ip"
hint="nginx-light tcpdump"
((wrk == 0)) || { tools+=" wrk"; hint+=" wrk"; }
for tool in $tools; do
  command -v "$tool" >/dev/null || { echo "record_nginx: $tool is not installed (apt-get install $hint)" >&2; exit 1; }
done
((wrk)) || [ -x "$load" ] || { echo "record_nginx: $load is not built (scripts/setup.sh builds it)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "record_nginx: tcpdump on lo needs root" >&2; exit 1; }
mkdir -p "$(dirname "$out")"

dir=$(mktemp -d)
tcpd="" ns="" inns=() wrkpid=""
cleanup() {
  [ -z "$wrkpid" ] || kill "$wrkpid" 2>/dev/null || true
  [ -z "$tcpd" ] || kill "$tcpd" 2>/dev/null || true
  [ ! -f "$dir/nginx.pid" ] || nginx -p "$dir" -c "$dir/nginx.conf" -s stop 2>/dev/null || true
  [ -z "$ns" ] || { sleep 0.2; ip netns del "$ns" 2>/dev/null || true; }
  rm -rf "$dir"
}
trap cleanup EXIT
if ((mtu)); then
  ns=wirelint-record-$$
  ip netns add "$ns" || { ns=""; echo "record_nginx: cannot make a network namespace (--mtu 0 records on the host's loopback)" >&2; exit 1; }
  ip netns exec "$ns" ip link set dev lo up mtu "$mtu" gso_max_segs 1
  inns=(ip netns exec "$ns")
fi
chmod 755 "$dir"
mkdir -p "$dir/www" "$dir/logs"
if [ -f /usr/share/nginx/html/index.html ]; then
  cp /usr/share/nginx/html/index.html "$dir/www/index.html"   # nginx's welcome page, 615 bytes
else
  head -c 615 /dev/zero | tr '\0' 'x' > "$dir/www/index.html"
fi
if ((page != 615)); then
  python3 -c 'import sys; f, n = sys.argv[1], int(sys.argv[2]); b = open(f, "rb").read(); open(f, "wb").write(b[:n].ljust(n, b" "))' \
    "$dir/www/index.html" "$page"
fi
paths=/
gzip="" loadopt=()
if ((large)); then
  # Sizes log-uniform from 2 KiB to 128 KiB; a page is words of a small
  # vocabulary (compressible, as HTML is), a binary file bytes drawn at
  # random (which nginx sends as they are).
  python3 - "$dir/www" "$npaths" <<'PY'
import math, random, sys
www, k = sys.argv[1], int(sys.argv[2])
rng = random.Random(8)
words = [''.join(rng.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(rng.randint(2, 9))) for _ in range(400)]
for i in range(1, k + 1):
    size = int(math.exp(rng.uniform(math.log(2048), math.log(131072))))
    if i % 3 == 1:
        page = ['<!DOCTYPE html>\n<html><body>\n']
        n = len(page[0])
        while n < size:
            page.append('<p>' + ' '.join(rng.choice(words) for _ in range(12)) + '</p>\n')
            n += len(page[-1])
        open(f'{www}/p{i}.html', 'w').write(''.join(page)[:size])
    else:
        open(f'{www}/p{i}.bin', 'wb').write(rng.randbytes(size))
PY
  paths=""
  for i in $(seq "$npaths"); do
    paths+="${paths:+,}/p$i.$( ((i % 3 == 1)) && echo html || echo bin)"
  done
  gzip="gzip on; gzip_min_length 1024;"
  loadopt=(-z)
elif ((npaths > 1)); then
  paths=""
  for i in $(seq "$npaths"); do
    { cat "$dir/www/index.html"; for _ in $(seq "$i"); do echo "<!-- page $i -->"; done; } > "$dir/www/p$i.html"
    paths+="${paths:+,}/p$i.html"
  done
fi
mime=/etc/nginx/mime.types
cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log;
events { worker_connections 2048; }
http {
  access_log off;
  $( [ -f "$mime" ] && echo "include $mime;" )
  keepalive_requests $keepalive;
  sendfile on; tcp_nopush on;   # as Debian's nginx.conf: a response's head and body leave together
  $gzip
  server { listen 127.0.0.1:$port; root $dir/www; }
}
CONF
ulimit -n 4096 2>/dev/null || true   # --conns up to 1024: a socket each, on both sides
"${inns[@]}" nginx -p "$dir" -c "$dir/nginx.conf"
"${inns[@]}" tcpdump -Z root -i lo -s 0 -B 262144 -w "$out" "tcp port $port" 2>"$dir/tcpdump.err" &
tcpd=$!
for _ in $(seq 50); do grep -q listening "$dir/tcpdump.err" && break; sleep 0.1; done
sleep 0.5
if ((wrk)); then
  # Each of wrk's threads (a Lua state each, counting apart) stops once
  # its share of the requests is answered, and says so in a file; with
  # several paths it asks for them in turn, from its own on.  wrk itself
  # waits out its -d, so it is stopped (SIGINT, as by hand) once every
  # thread has said so; -d bounds it.
  threads=$((conns < 2 ? conns : 2))
  ((requests >= threads)) || threads=$requests   # each thread a share of at least one
  {
    echo "local threads, n, i, limit = 0, 0, 0, 0"
    echo "local paths = {\"${paths//,/\", \"}\"}"
    echo "function setup(thread) thread:set(\"id\", threads); threads = threads + 1 end"
    echo "function init(args) limit = $((requests / threads)) + (id < $((requests % threads)) and 1 or 0); i = id end"
    echo "function response(status, headers, body)"
    echo "  n = n + 1"
    echo "  if n == limit then io.open(\"$dir/done.\" .. id, \"w\"):close(); wrk.thread:stop() end"
    echo "end"
    ((npaths == 1 && !large)) || echo "function request() i = i % #paths + 1; return wrk.format(nil, paths[i]) end"
  } > "$dir/stop.lua"
  ((large == 0)) || loadopt=(-H "Accept-Encoding: gzip")
  "${inns[@]}" wrk -t "$threads" -c "$conns" -d 600s "${loadopt[@]}" -s "$dir/stop.lua" \
    "http://127.0.0.1:$port${paths%%,*}" >"$dir/wrk.out" &
  wrkpid=$!
  while kill -0 "$wrkpid" 2>/dev/null && (($(ls "$dir" | grep -c '^done\.') < threads)); do sleep 0.1; done
  kill -INT "$wrkpid" 2>/dev/null || true
  wait "$wrkpid" || { echo "record_nginx: wrk failed" >&2; cat "$dir/wrk.out" >&2; exit 1; }
  wrkpid=""
  grep -q 'requests in' "$dir/wrk.out" || { echo "record_nginx: wrk said:" >&2; cat "$dir/wrk.out" >&2; exit 1; }
else
  "${inns[@]}" timeout 600 "$load" "${loadopt[@]}" "$port" "$conns" "$requests" "$paths"
fi
sleep 1
kill "$tcpd"; wait "$tcpd" 2>/dev/null || true
tcpd=""
dropped=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$dir/tcpdump.err")
if [ "${dropped:-1}" != 0 ]; then
  echo "record_nginx: tcpdump says ${dropped:-an unknown number of} packets were dropped: $out is not whole" >&2
  cat "$dir/tcpdump.err" >&2
  exit 1
fi
echo "record_nginx: $out, $(stat -c %s "$out") bytes, $requests requests for $npaths path(s) over $conns connections$( ((mtu)) && echo ", MTU $mtu")$( ((wrk)) && echo ", by wrk: $(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$dir/wrk.out") answered")"
