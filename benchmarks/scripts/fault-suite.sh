#!/usr/bin/env bash
# The fault suite: a whole cluster of real processes (Redis, 3 simulated engines in 2 pods with
# discovery sidecars, scheduler, gateway) under streaming load, in lite and in full mode, one
# fault a case on a fresh cluster: an engine SIGKILLed, an engine SIGSTOPped, the scheduler
# SIGKILLed and restarted, Redis stopped 30 s and restarted empty, the gateway SIGTERMed
# (drained) and restarted. Prints one table of how the streams ended. Loopback only; each case
# ends by itself in about 1.5-2.5 min (about 20 min for all ten). Needs redis-server.
#
#   benchmarks/scripts/fault-suite.sh [--streams 64] [--tokens 256] [--burst 24]
#       [--modes lite,full] [--cases engine-kill,engine-freeze,scheduler-kill,redis-restart,gateway-restart]
#
# LLUMNIX_JAR=path uses that runnable jar instead of building cli/target/llumnix.jar.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=benchmarks/scripts/cluster-jars.sh
source "$ROOT/benchmarks/scripts/cluster-jars.sh"
"$JAVA" -cp "$WORK/benchmarks.jar" io.llumnix.benchmarks.faults.FaultSuite \
  --jar "$WORK/llumnix.jar" --logs "$WORK/logs" "$@"
