#!/usr/bin/env bash
# Records captures/nginx.pcap: a real nginx (Debian's nginx or nginx-light)
# on 127.0.0.1:8088, asked a fixed list of requests by nginx_client.py, on lo.
# nginx.expect lists what nginx really gets wrong for those requests
# (checked by hand against its responses; see docs/captures.md).
#   sudo captures/record_nginx.sh
set -euo pipefail
cd "$(dirname "$0")"
command -v nginx >/dev/null || { echo "record_nginx: install nginx-light first" >&2; exit 1; }
dir=$(mktemp -d)
tcpd=""
trap '[ -z "$tcpd" ] || kill "$tcpd" 2>/dev/null; nginx -p "$dir" -c nginx.conf -s stop 2>/dev/null || true; rm -rf "$dir"' EXIT
chmod 755 "$dir"
mkdir -p "$dir/www/docs" "$dir/logs"
printf '<!doctype html><title>wirelint</title><p>hello from nginx</p>\n' > "$dir/www/index.html"
printf 'docs\n' > "$dir/www/docs/index.html"
printf 'user:$apr1$x$x\n' > "$dir/htpasswd"
cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log;
events { worker_connections 64; }
http {
  access_log off;
  server {
    listen 127.0.0.1:8088;
    root $dir/www;
    location /busy { return 503; }
    location /created { return 201; }
    location /private { auth_basic "wirelint"; auth_basic_user_file $dir/htpasswd; }
  }
}
CONF
nginx -p "$dir" -c nginx.conf
sleep 0.5
tcpdump -i lo -s 0 -U -w nginx.pcap 'tcp port 8088' 2>/dev/null &
tcpd=$!
sleep 1
python3 nginx_client.py 8088
sleep 1
kill "$tcpd"; wait "$tcpd" 2>/dev/null || true
tcpd=""
echo "recorded nginx.pcap ($(stat -c %s nginx.pcap) bytes)"
