#!/usr/bin/env bash
# Prefill/decode disaggregation against neutral instances on the same engines, in one run:
# `llumnix local` with 2 prefill + 2 decode instances, then with 4 neutral ones, each under the
# same Poisson load of long prompts (4096 tokens in, 256 out), real time, full mode. Prints
# each run's report (throughput, TTFT/TPOT/ITL/E2E p50 and p99); the JSON reports stay in the
# working directory it names. Pick the rate at about 70 % of the rate where neutral TTFT
# takes off on your machine (about 20 req/s saturates a 2-core machine).
#
#   benchmarks/scripts/pd-vs-neutral.sh [rate] [requests] [pd-protocol]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
RATE="${1:-14}"; REQUESTS="${2:-600}"; PROTOCOL="${3:-vllm-kvt}"
GATEWAY=18089; WORK="$(mktemp -d)"
cleanup() { kill $(jobs -p) 2>/dev/null || true; }
trap cleanup EXIT

"$ROOT/llumnix" version >/dev/null # builds the jar first, outside the measured runs
run() {
  local label="$1"; shift
  "$ROOT/llumnix" local --port $GATEWAY --scheduler-port 18088 --engine-base-port 18100 \
    --tokenizer-name builtin "$@" >"$WORK/$label-cluster.log" 2>&1 &
  local cluster=$!
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$GATEWAY/healthz" >/dev/null && break; sleep 0.1; done
  sleep 3 # the gateway's keepalive and the CMS records settle
  echo "== $label: $*"
  "$ROOT/llumnix" bench --url "http://127.0.0.1:$GATEWAY" --endpoint completions \
    --model llumnix/sim-llama3-8b --num-requests "$REQUESTS" --request-rate "$RATE" \
    --max-concurrency 512 --prompt-tokens 4096 --output-tokens 256 --ignore-eos --seed 7 \
    --no-progress \
    --output "$WORK/$label.json"
  kill $cluster; wait $cluster 2>/dev/null || true
}
run pd --pd 2:2 --pd-disagg-protocol "$PROTOCOL"
run neutral --instances 4
echo "reports: $WORK"
