#!/usr/bin/env bash
# The soak: many concurrent streams through one full-mode cluster of processes (Redis, 4
# simulated engines with llumlets, a discovery sidecar, scheduler, gateway) for a while,
# sampling the gateway's and the scheduler's RSS and JVM heap every 10 s; prints the samples
# and a summary (streams by outcome, memory after warm-up, whether it stayed flat). The engines
# run at --speedup 0.04, about 2.5 tokens/s a stream: 2000 streams are 5000 tokens/s, which two
# cores carry beside the client. Needs redis-server.
#
#   benchmarks/scripts/soak.sh [minutes (10)] [streams (2000)] [more Soak flags: --tokens 300 ...]
#
# LLUMNIX_JAR=path uses that runnable jar instead of building cli/target/llumnix.jar.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
MINUTES="${1:-10}"; STREAMS="${2:-2000}"; shift $(( $# < 2 ? $# : 2 ))
# shellcheck source=benchmarks/scripts/cluster-jars.sh
source "$ROOT/benchmarks/scripts/cluster-jars.sh"
"$JAVA" -cp "$WORK/benchmarks.jar" io.llumnix.benchmarks.faults.Soak --jar "$WORK/llumnix.jar" \
  --logs "$WORK/logs" --minutes "$MINUTES" --streams "$STREAMS" "$@"
