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
# Usage: bench/record_nginx.sh [--requests N] [--conns C] [--paths K] [--keepalive R] [--port P] [--out FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
requests=384000 conns=64 port=18081 out="" npaths=1 keepalive=1000000
while (($#)); do
  case "$1" in
    --requests) requests=$2; shift 2 ;;
    --conns) conns=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --paths) npaths=$2; shift 2 ;;
    --keepalive) keepalive=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "record_nginx: unknown argument $1 (see the script's head)" >&2; exit 2 ;;
  esac
done
[[ "$npaths" =~ ^[0-9]+$ ]] && ((npaths >= 1 && npaths <= 64)) ||
  { echo "record_nginx: --paths takes 1 to 64" >&2; exit 2; }
[[ "$keepalive" =~ ^[0-9]+$ ]] && ((keepalive >= 1)) || { echo "record_nginx: --keepalive takes a number of requests" >&2; exit 2; }
suffix=""
((npaths == 1)) || suffix+="-paths$npaths"
((keepalive == 1000000)) || suffix+="-keepalive$keepalive"
out=${out:-bench/out/nginx-load-$requests$suffix.pcap}
load=${WIRELINT_BUILD_DIR:-build}/bench/load
for tool in nginx tcpdump; do
  command -v "$tool" >/dev/null || { echo "record_nginx: $tool is not installed (apt-get install nginx-light tcpdump)" >&2; exit 1; }
done
[ -x "$load" ] || { echo "record_nginx: $load is not built (scripts/setup.sh builds it)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "record_nginx: tcpdump on lo needs root" >&2; exit 1; }
mkdir -p "$(dirname "$out")"

dir=$(mktemp -d)
tcpd=""
cleanup() {
  [ -z "$tcpd" ] || kill "$tcpd" 2>/dev/null || true
  [ ! -f "$dir/nginx.pid" ] || nginx -p "$dir" -c "$dir/nginx.conf" -s stop 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
chmod 755 "$dir"
mkdir -p "$dir/www" "$dir/logs"
if [ -f /usr/share/nginx/html/index.html ]; then
  cp /usr/share/nginx/html/index.html "$dir/www/index.html"   # nginx's welcome page, 615 bytes
else
  head -c 615 /dev/zero | tr '\0' 'x' > "$dir/www/index.html"
fi
paths=/
if ((npaths > 1)); then
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
  server { listen 127.0.0.1:$port; root $dir/www; }
}
CONF
ulimit -n 4096 2>/dev/null || true   # --conns up to 1024: a socket each, on both sides
nginx -p "$dir" -c "$dir/nginx.conf"
tcpdump -Z root -i lo -s 0 -B 262144 -w "$out" "tcp port $port" 2>"$dir/tcpdump.err" &
tcpd=$!
for _ in $(seq 50); do grep -q listening "$dir/tcpdump.err" && break; sleep 0.1; done
sleep 0.5
timeout 600 "$load" "$port" "$conns" "$requests" "$paths"
sleep 1
kill "$tcpd"; wait "$tcpd" 2>/dev/null || true
tcpd=""
dropped=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$dir/tcpdump.err")
if [ "${dropped:-1}" != 0 ]; then
  echo "record_nginx: tcpdump says ${dropped:-an unknown number of} packets were dropped: $out is not whole" >&2
  cat "$dir/tcpdump.err" >&2
  exit 1
fi
echo "record_nginx: $out, $(stat -c %s "$out") bytes, $requests requests for $npaths path(s) over $conns connections"
