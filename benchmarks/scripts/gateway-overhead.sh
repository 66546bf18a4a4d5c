#!/usr/bin/env bash
# The gateway's overhead, measured in one run: TTFT added over calling the engines directly, at
# several concurrencies, beside nginx as a plain reverse proxy in front of the same engines, and
# the most streamed chunks per second each path carries, for completions and chat; one table at
# the end. Engines use the `instant` profile, so every millisecond measured is overhead. Needs
# nginx (Debian: apt-get install nginx-light).
#
#   benchmarks/scripts/gateway-overhead.sh [requests-per-run] [concurrencies...]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
REQUESTS="${1:-2000}"; shift || true
CONCURRENCIES=("${@:-1 64 512}")
[ ${#CONCURRENCIES[@]} -eq 1 ] && read -r -a CONCURRENCIES <<<"${CONCURRENCIES[0]}"
ENGINE=19000; GATEWAY=19089; NGINX=19090; WORK="$(mktemp -d)"
cleanup() { kill $(jobs -p) 2>/dev/null || true; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true; }
trap cleanup EXIT

"$ROOT/llumnix" version >/dev/null
"$ROOT/llumnix" engine-sim --host 127.0.0.1 --port $ENGINE --instances 4 --profile instant \
  --output-length-mean 0 --model m >"$WORK/engines.log" 2>&1 &
ENGINE_PID=$!
"$ROOT/llumnix" gateway --host 127.0.0.1 --port $GATEWAY --scheduling-policy round-robin \
  --llm-backend-discovery endpoints \
  --llm-backend-endpoints 127.0.0.1:$ENGINE,127.0.0.1:$((ENGINE+1)),127.0.0.1:$((ENGINE+2)),127.0.0.1:$((ENGINE+3)) \
  >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
cat >"$WORK/nginx.conf" <<CONF
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
worker_processes 2;
events { worker_connections 4096; }
http {
  access_log off;
  upstream engines { server 127.0.0.1:$ENGINE; server 127.0.0.1:$((ENGINE+1)); server 127.0.0.1:$((ENGINE+2)); server 127.0.0.1:$((ENGINE+3)); keepalive 512; }
  server {
    listen 127.0.0.1:$NGINX;
    location / { proxy_pass http://engines; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; }
  }
}
CONF
nginx -c "$WORK/nginx.conf"
for port in $ENGINE $GATEWAY $NGINX; do
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/v1/models" >/dev/null && break; sleep 0.1; done
done

# CPU time (user + system, clock ticks) of the given processes, all their threads included.
ticks() { local t=0 p f; for p in "$@"; do read -r -a f <"/proc/$p/stat"; t=$((t + f[13] + f[14])); done; echo "$t"; }
NGINX_WORKERS=$(pgrep -P "$(cat "$WORK/nginx.pid")" | tr '\n' ' ')
run() { # target-name url concurrency endpoint
  local proxy=""
  case "$1" in nginx) proxy=$NGINX_WORKERS ;; gateway) proxy=$GATEWAY_PID ;; esac
  local engine0 proxy0; engine0=$(ticks $ENGINE_PID); proxy0=$(ticks $proxy)
  "$ROOT/llumnix" bench --url "$2" --endpoint "$4" --model m --num-requests "$REQUESTS" \
    --max-concurrency "$3" --prompt-tokens 64 --output-tokens 64 --no-progress \
    --output "$WORK/$4-$1-$3.json" >/dev/null
  echo "$(($(ticks $ENGINE_PID) - engine0)) $(($(ticks $proxy) - proxy0)) $(getconf CLK_TCK)" \
    >"$WORK/$4-$1-$3.cpu"
}
# Warm-up: JIT-compile every path before measuring, at each concurrency measured: one request
# at a time takes other branches than many at once (uncontended, one chunk per read), and a
# gateway warmed at 64 only was still recompiling them during the run at 1, on the cores the
# run measures.
for target in direct:$ENGINE nginx:$NGINX gateway:$GATEWAY; do
  for endpoint in completions chat; do
    for c in "${CONCURRENCIES[@]}"; do
      "$ROOT/llumnix" bench --url "http://127.0.0.1:${target#*:}" --endpoint $endpoint --model m \
        --num-requests $((c < 64 ? 500 : 2000)) --max-concurrency "$c" --no-progress >/dev/null
    done
  done
done
for endpoint in completions chat; do
  for c in "${CONCURRENCIES[@]}"; do
    run direct "http://127.0.0.1:$ENGINE" "$c" $endpoint
    run nginx "http://127.0.0.1:$NGINX" "$c" $endpoint
    run gateway "http://127.0.0.1:$GATEWAY" "$c" $endpoint
  done
done
# One table: per path and concurrency, TTFT and chunks/s of each target, and the gateway
# against nginx (the issue's targets: p50 within 0.5 ms at c=1, chunks/s >= 0.9x, p99 <= 1.2x),
# and the CPU each path cost: the engines' plus the proxy's (the gateway renders and tokenizes,
# which the engines then skip), and the proxy's alone per streamed chunk.
python3 - "$WORK" "$REQUESTS" "${CONCURRENCIES[@]}" <<'PY'
import json, sys
work, requests, concurrencies = sys.argv[1], sys.argv[2], sys.argv[3:]
def load(endpoint, target, c):
    r = json.load(open(f"{work}/{endpoint}-{target}-{c}.json"))
    engine, proxy, hz = map(int, open(f"{work}/{endpoint}-{target}-{c}.cpu").read().split())
    return (r["ttft_ms"]["p50"], r["ttft_ms"]["p99"], r["output_tokens"] / r["duration_seconds"],
            r["failed"], engine / hz, proxy / hz, r["output_tokens"])
print(f"{requests} streamed requests per run, 64 prompt and 64 output tokens, instant engines")
print("| path | c | direct TTFT p50 / p99 ms | nginx p50 / p99 | gateway p50 / p99 | chunks/s direct / nginx / gateway | gateway-nginx p50 ms | chunks/s gw/nginx | p99 gw/nginx | CPU s engines+proxy direct / nginx / gateway | proxy CPU us/chunk nginx / gateway | failed |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for endpoint in ("completions", "chat"):
    for c in concurrencies:
        d, n, g = (load(endpoint, t, c) for t in ("direct", "nginx", "gateway"))
        print(f"| {endpoint} | {c} | {d[0]:.2f} / {d[1]:.2f} | {n[0]:.2f} / {n[1]:.2f} | {g[0]:.2f} / {g[1]:.2f} "
              f"| {d[2]:,.0f} / {n[2]:,.0f} / {g[2]:,.0f} | {g[0] - n[0]:+.2f} | {g[2] / n[2]:.2f} | {g[1] / n[1]:.2f} "
              f"| {d[4] + d[5]:.1f} / {n[4] + n[5]:.1f} / {g[4] + g[5]:.1f} "
              f"| {n[5] * 1e6 / n[6]:.1f} / {g[5] * 1e6 / g[6]:.1f} | {d[3]} / {n[3]} / {g[3]} |")
PY
