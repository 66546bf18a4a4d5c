#!/usr/bin/env bash
# Live migration's worth, in one run: `llumnix local` with the flood dispatch policy (every
# request to one instance of 4, with a small KV cache: preemptions), first alone, then with the
# colocated rescheduler's neutral_load policy moving requests to the idle instances (thresholds
# 0, one request a pair per round, shortest first: the reference's migration test). Same
# workload and seed: 512-token prompts, 512 output tokens, Poisson arrivals. Prints each run's
# report, its preemptions (vllm:num_preemptions_total over the engines) and its migrations
# (scheduler_rescheduling_total).
#
#   benchmarks/scripts/rescheduling-vs-none.sh [rate] [requests]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
RATE="${1:-8}"; REQUESTS="${2:-200}"
GATEWAY=18089; SCHEDULER=18088; ENGINE=18100; WORK="$(mktemp -d)"
cleanup() { kill $(jobs -p) 2>/dev/null || true; }
trap cleanup EXIT

"$ROOT/llumnix" version >/dev/null # builds the jar first, outside the measured runs
run() {
  local label="$1"; shift
  "$ROOT/llumnix" local --port $GATEWAY --scheduler-port $SCHEDULER --engine-base-port $ENGINE \
    --tokenizer-name builtin --instances 4 --num-gpu-blocks 2000 --scheduling-policy flood \
    "$@" >"$WORK/$label-cluster.log" 2>&1 &
  local cluster=$!
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$GATEWAY/healthz" >/dev/null && break; sleep 0.1; done
  sleep 3 # the gateway's keepalive and the CMS records settle
  echo "== $label: $*"
  "$ROOT/llumnix" bench --url "http://127.0.0.1:$GATEWAY" --endpoint completions \
    --model llumnix/sim-llama3-8b --num-requests "$REQUESTS" --request-rate "$RATE" \
    --max-concurrency 512 --prompt-tokens 512 --output-tokens 512 --ignore-eos --seed 7 \
    --no-progress --output "$WORK/$label.json"
  local preemptions=0
  for i in 0 1 2 3; do
    p=$(curl -s "http://127.0.0.1:$((ENGINE + i))/metrics" | awk '/^vllm:num_preemptions_total/ {print $2}')
    preemptions=$(awk -v a="$preemptions" -v b="${p:-0}" 'BEGIN {print a + b}')
  done
  echo "preemptions: $preemptions"
  curl -s "http://127.0.0.1:$SCHEDULER/metrics" | grep '^scheduler_rescheduling' || true
  kill $cluster; wait $cluster 2>/dev/null || true
}
run flood
run flood+rescheduling --colocated-rescheduling-mode --rescheduling-policies neutral_load \
  --rescheduling-neutral-load-threshold 0 --rescheduling-load-balance-threshold 0 \
  --rescheduling-req-select-rule NUM_REQ --rescheduling-req-select-order SR \
  --rescheduling-req-select-value 1
echo "reports: $WORK"
