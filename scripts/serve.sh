#!/usr/bin/env bash
# Serve lrviz to many users: N `streamlit run server.py` replicas on 127.0.0.1 behind nginx on
# 127.0.0.1:PORT (sticky per client, websockets proxied, an X-Lrviz-Replica header naming the
# replica's port). nginx runs as a local process from a temporary directory (config rendered
# from deploy/nginx.conf.in, pid file, error log). Each replica is warmed up with one page load
# (deploy/stclient.py) before nginx starts. Ctrl-C or SIGTERM stops everything together.
#
#   ./scripts/serve.sh --replicas 2 --port 8080
#
# LRVIZ_PYTHON picks the Python that runs streamlit (default .venv/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: $0 [--replicas N] [--port PORT]" >&2; exit 2; }
replicas=2
port=8080
while [ $# -gt 0 ]; do
    case "$1" in
        --replicas) [ $# -ge 2 ] || usage; replicas=$2; shift 2 ;;
        --port) [ $# -ge 2 ] || usage; port=$2; shift 2 ;;
        *) usage ;;
    esac
done
[[ "$replicas" =~ ^[1-9][0-9]?$ ]] || { echo "--replicas must be 1 to 99, got '$replicas'" >&2; exit 2; }
[[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] ||
    { echo "--port must be 1 to 65535, got '$port'" >&2; exit 2; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if [ ! -x /usr/sbin/nginx ]; then
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx
fi
python=${LRVIZ_PYTHON:-.venv/bin/python}
[ -x "$python" ] || { echo "no Python at $python: run ./scripts/run-app.sh once, or set LRVIZ_PYTHON" >&2; exit 2; }

"$python" -c 'import socket, sys; socket.create_server(("127.0.0.1", int(sys.argv[1])))' "$port" 2>/dev/null ||
    { echo "port $port on 127.0.0.1 is in use or not allowed: pick another with --port" >&2; exit 2; }

run_dir=$(mktemp -d -t lrviz-serve.XXXXXX)
pids=()
stop() {
    trap - EXIT INT TERM
    [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$run_dir"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

healthy() {
    "$python" -c 'import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/_stcore/health", timeout=1)' "$1" 2>/dev/null
}

servers=""
for _ in $(seq "$replicas"); do
    replica=$(free_port)
    "$python" -m streamlit run server.py --server.headless true --server.address 127.0.0.1 \
        --server.port "$replica" --server.fileWatcherType none \
        --browser.gatherUsageStats false >"$run_dir/replica-$replica.log" 2>&1 &
    pids+=($!)
    echo "replica $replica pid $!"
    servers+="        server 127.0.0.1:$replica max_fails=1 fail_timeout=10s;\\n"
    for _ in $(seq 300); do
        healthy "$replica" && break
        kill -0 "${pids[-1]}" 2>/dev/null || { cat "$run_dir/replica-$replica.log" >&2; exit 1; }
        sleep 0.1
    done
    # One page load per replica, so a page that fails over to it does not wait for its imports.
    "$python" deploy/stclient.py "http://127.0.0.1:$replica/" || echo "replica $replica: warm-up failed" >&2
done

mkdir -p "$run_dir"/{client_body,proxy,fastcgi,uwsgi,scgi}
if [ "$(id -u)" -eq 0 ]; then  # nginx's workers drop root for nobody: let them use the temp dirs
    chmod 755 "$run_dir"
    chown nobody "$run_dir"/{client_body,proxy,fastcgi,uwsgi,scgi}
fi
servers=${servers%\\n}
sed -e "s|@RUN_DIR@|$run_dir|g" -e "s|@PORT@|$port|g" deploy/nginx.conf.in |
    awk -v servers="$servers" '{ if ($0 == "@SERVERS@") print servers; else print }' >"$run_dir/nginx.conf"
/usr/sbin/nginx -p "$run_dir" -e "$run_dir/error.log" -c "$run_dir/nginx.conf" &
nginx_pid=$!
pids+=("$nginx_pid")
echo "nginx pid $nginx_pid"
echo "lrviz: http://127.0.0.1:$port/ ($replicas replicas; logs in $run_dir)"
wait "$nginx_pid"
