# Sourced by fault-suite.sh and soak.sh: builds the runnable jar (through ./llumnix, when it is
# older than the sources) unless LLUMNIX_JAR names one, builds benchmarks/target/benchmarks.jar
# when it is missing or older than the benchmarks sources, and copies both into $WORK, so that
# processes restarted during a run use the jar they started with. Sets JAVA and WORK.
command -v redis-server >/dev/null || { echo "needs redis-server (apt-get install redis-server)" >&2; exit 1; }
if [ -z "${LLUMNIX_JAR:-}" ]; then
  "$ROOT/llumnix" version >/dev/null # builds cli/target/llumnix.jar when it is stale
  LLUMNIX_JAR="$ROOT/cli/target/llumnix.jar"
fi
# The launcher's JDK (>= 21; the soak uses its jcmd), whatever the PATH's java is.
JAVA_HOME="$("$ROOT/llumnix" --print-java-home)"
JAVA="$JAVA_HOME/bin/java"
BENCH="$ROOT/benchmarks/target/benchmarks.jar"
WORK="$(mktemp -d)"
if [ ! -f "$BENCH" ] || [ -n "$(find "$ROOT/benchmarks/src" "$ROOT/benchmarks/pom.xml" -newer "$BENCH" -print -quit)" ]; then
  echo "building benchmarks/target/benchmarks.jar (log: $WORK/build.log) ..." >&2
  (cd "$ROOT" && JAVA_HOME="$JAVA_HOME" mvn -o -q -B install -DskipTests -pl benchmarks) \
    >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }
fi
cp "$LLUMNIX_JAR" "$WORK/llumnix.jar"
cp "$BENCH" "$WORK/benchmarks.jar"
