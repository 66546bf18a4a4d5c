package io.llumnix.benchmarks.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A soak: {@code --streams} concurrent streams through one full-mode cluster of processes for
 * {@code --minutes}, sampling the gateway's and the scheduler's memory every {@code
 * --sample-seconds}: RSS (VmRSS of /proc/&lt;pid&gt;/status), JVM heap used and heap after the
 * last GC (their /metrics: {@code jvm_memory_used_bytes{area="heap"}} and the heap pools'
 * {@code jvm_memory_pool_collection_used_bytes}). At the end of the warm-up and at the end of
 * the load both get a full GC ({@code jcmd <pid> GC.run}) and their live heap is read, the
 * sharpest test of a leak. Prints one row per sample and a summary: streams by outcome, RSS and
 * heap after warm-up (first/last/max) and whether they stayed flat.
 *
 * <p>The cluster: a Redis; {@code --engines} simulated engines in one engine-sim process
 * (llumlets writing the CMS; {@code --speedup}, so that the streams' token rate, about
 * {@code 2000 * 2.5} tokens/s at the defaults, is carried on two cores beside everything else)
 * with a discovery sidecar; a full-mode scheduler; a gateway finding the engines in Redis. The
 * gateway and the scheduler run with the heap a 2 GiB / 1 GiB container gives them under the
 * image's {@code -XX:MaxRAMPercentage=75} (deploy/parts): {@code -Xmx1536m} and {@code
 * -Xmx768m}. The load ramps up over the first minute (or quarter of the run).
 *
 * <pre>
 * benchmarks/scripts/soak.sh [minutes] [streams]
 * java -cp benchmarks/target/benchmarks.jar io.llumnix.benchmarks.faults.Soak \
 *     --jar cli/target/llumnix.jar [--minutes 10] [--streams 2000] [--tokens 300] \
 *     [--engines 4] [--speedup 0.04] [--sample-seconds 10]
 * </pre>
 */
public final class Soak {

  private Soak() {}

  /** One sample of a process. */
  record Memory(long rss, double heapCommitted, double heapUsed, double heapAfterGc, double fds,
      double cpuSeconds) {
    /** RSS beyond the committed heap: metaspace, code, threads, direct buffers. */
    double nonHeapRss() {
      return rss - heapCommitted;
    }
  }

  /** One sample row. */
  record Sample(long seconds, int open, long ok, long errors, double tokensPerSecond,
      Memory gateway, Memory scheduler) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("bad argument: " + args[i] + " (expected: --name)");
      }
      flags.put(args[i].substring(2), args[i + 1]);
    }
    Path jar = Path.of(flags.getOrDefault("jar", "cli/target/llumnix.jar")).toAbsolutePath();
    Path logs = Path.of(flags.getOrDefault("logs",
        Files.createTempDirectory("soak-").toString()));
    double minutes = Double.parseDouble(flags.getOrDefault("minutes", "10"));
    int streams = Integer.parseInt(flags.getOrDefault("streams", "2000"));
    int tokens = Integer.parseInt(flags.getOrDefault("tokens", "300"));
    int engines = Integer.parseInt(flags.getOrDefault("engines", "4"));
    double speedup = Double.parseDouble(flags.getOrDefault("speedup", "0.04"));
    int sampleSeconds = Integer.parseInt(flags.getOrDefault("sample-seconds", "10"));
    long runSeconds = Math.round(minutes * 60);
    long rampSeconds = Math.min(60, runSeconds / 4);
    long warmupSeconds = Math.min(120, runSeconds / 4) + rampSeconds;

    System.out.printf(Locale.ROOT, "# soak: %d streams of %d tokens for %.1f min through"
            + " gateway + full-mode scheduler + %d engines (engine-sim llama3-8b-h100, speedup"
            + " %s); ramp-up %d s, warm-up until %d s; logs in %s%n", streams, tokens, minutes,
        engines, speedup, rampSeconds, warmupSeconds, logs);
    int[] free = Cluster.freePorts(3);
    int redis = free[0];
    int scheduler = free[1];
    int gateway = free[2];
    int engine = Cluster.freeBlock(engines, 7000, (int) ProcessHandle.current().pid());
    try (Cluster cluster = new Cluster(jar, logs)) {
      cluster.redis("redis", redis);
      Cluster.await(Duration.ofSeconds(10), () -> cluster.log("redis").contains("Ready"));
      cluster.java("engines", List.of("-Xmx2g"), "engine-sim", "--host", "127.0.0.1",
          "--port", String.valueOf(engine), "--instances", String.valueOf(engines), "--model",
          "m", "--tokenizer-name", "builtin", "--positional-output", "--speedup",
          String.valueOf(speedup), "--kv-transfer-port-offset", "7000", "--enable-llumlet",
          "--cms-redis-port", String.valueOf(redis), "--drain-timeout", "0s");
      cluster.java("discovery", List.of("-Xmx128m", "-XX:+UseSerialGC"), "discovery",
          "--pod-name", "pod-0", "--entrypoint-ip", "127.0.0.1", "--entrypoint-port",
          String.valueOf(engine), "--kv-transfer-port", String.valueOf(engine + 7000),
          "--dp-size-local", String.valueOf(engines), "--model", "m", "--redis-port",
          String.valueOf(redis), "--interval", "5");
      cluster.java("scheduler", List.of("-Xmx768m", "-XX:+ExitOnOutOfMemoryError"),
          "scheduler", "--host", "127.0.0.1", "--port", String.valueOf(scheduler),
          "--cms-redis-port", String.valueOf(redis), "--cms-pull-status-interval-ms", "500",
          "--llm-backend-discovery", "redis", "--discovery-redis-port", String.valueOf(redis));
      cluster.java("gateway", List.of("-Xmx1536m", "-XX:+ExitOnOutOfMemoryError"), "gateway",
          "--host", "127.0.0.1", "--port", String.valueOf(gateway), "--scheduler-endpoints",
          "127.0.0.1:" + scheduler, "--llm-backend-discovery", "redis",
          "--discovery-redis-port", String.valueOf(redis), "--tokenizer-name", "builtin");
      if (!Cluster.await(Duration.ofSeconds(120), () -> {
        try {
          return Cluster.post(gateway, "/v1/completions",
              "{\"model\":\"m\",\"prompt\":\"ready\",\"max_tokens\":2}").statusCode() == 200;
        } catch (Exception e) {
          return false;
        }
      })) {
        throw new IllegalStateException("the cluster did not serve within 120 s; logs in "
            + logs);
      }
      long gatewayPid = cluster.node("gateway").pid();
      long schedulerPid = cluster.node("scheduler").pid();

      List<Sample> samples = new ArrayList<>();
      double @Nullable [] liveAtWarmup = null;
      double[] liveAtEnd;
      System.out.println();
      System.out.println("   t_s   open      ok errors   tok/s | gw: rss_MB heap_comm heap_used"
          + " after_GC   fds cpu% | sch: rss_MB heap_comm heap_used after_GC");
      try (StreamLoad load = new StreamLoad(gateway, streams, tokens, false)) {
        long start = System.nanoTime();
        load.start(Duration.ofSeconds(rampSeconds));
        long lastTokens = 0;
        Memory lastGateway = memory(gatewayPid, gateway);
        long last = start;
        for (long t = sampleSeconds; t <= runSeconds; t += sampleSeconds) {
          long wake = start + TimeUnit.SECONDS.toNanos(t);
          TimeUnit.NANOSECONDS.sleep(Math.max(0, wake - System.nanoTime()));
          long now = System.nanoTime();
          Map<String, Long> counts = load.counts();
          long ok = counts.getOrDefault(Outcome.OK.label, 0L);
          long errors = counts.values().stream().mapToLong(Long::longValue).sum() - ok;
          long tokensNow = load.tokens();
          Memory gw = memory(gatewayPid, gateway);
          Memory sch = memory(schedulerPid, scheduler);
          double seconds = (now - last) / 1e9;
          Sample sample = new Sample(t, load.openCount(), ok, errors,
              (tokensNow - lastTokens) / seconds, gw, sch);
          samples.add(sample);
          System.out.println(row(sample, (gw.cpuSeconds() - lastGateway.cpuSeconds())
              / seconds * 100));
          lastTokens = tokensNow;
          lastGateway = gw;
          last = now;
          if (liveAtWarmup == null && t >= warmupSeconds) {
            liveAtWarmup = new double[] {liveHeap(gatewayPid, gateway),
                liveHeap(schedulerPid, scheduler)};
            System.out.printf(Locale.ROOT, "# warm-up over: live heap after a full GC:"
                + " gateway %.1f MB, scheduler %.1f MB%n", liveAtWarmup[0] / 1e6,
                liveAtWarmup[1] / 1e6);
          }
          if (!cluster.node("gateway").alive() || !cluster.node("scheduler").alive()) {
            System.out.println("# the gateway or the scheduler exited; see " + logs);
            break;
          }
        }
        liveAtEnd = new double[] {liveHeap(gatewayPid, gateway),
            liveHeap(schedulerPid, scheduler)};
        load.stopIssuing();
        // Open streams finish within about one stream's length: tokens / per-stream rate.
        @Nullable Sample lastSample = samples.isEmpty() ? null : samples.get(samples.size() - 1);
        double perStream = lastSample == null ? 0
            : lastSample.tokensPerSecond() / Math.max(1, lastSample.open());
        long drainSeconds = (long) Math.min(300, Math.max(60, 1.5 * tokens / perStream + 30));
        boolean drained = load.awaitIdle(Duration.ofSeconds(drainSeconds));
        load.abandon();
        summary(load.counts(), samples, warmupSeconds, liveAtWarmup, liveAtEnd, drained);
      }
    }
  }

  private static Memory memory(long pid, int port) {
    String metrics;
    try {
      metrics = Cluster.get(port, "/metrics").body();
    } catch (IOException | InterruptedException e) {
      metrics = "";
    }
    double afterGc = 0;
    for (String pool : List.of("G1 Eden Space", "G1 Survivor Space", "G1 Old Gen")) {
      afterGc += Cluster.sum(metrics, "jvm_memory_pool_collection_used_bytes",
          "pool=\"" + pool + "\"");
    }
    return new Memory(Cluster.rssBytes(pid),
        Cluster.sum(metrics, "jvm_memory_committed_bytes", "area=\"heap\""),
        Cluster.sum(metrics, "jvm_memory_used_bytes", "area=\"heap\""), afterGc,
        Cluster.sum(metrics, "process_open_fds", ""),
        Cluster.sum(metrics, "process_cpu_seconds_total", ""));
  }

  /** Runs a full GC in {@code pid} (jcmd GC.run), then reads its heap used: the live heap. */
  private static double liveHeap(long pid, int port) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    if (!Files.isExecutable(jcmd)) {
      return Double.NaN; // a JRE: no jcmd
    }
    Process process = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), "GC.run")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return Double.NaN;
    }
    return memory(pid, port).heapUsed();
  }

  private static String row(Sample s, double gatewayCpuPercent) {
    return String.format(Locale.ROOT,
        "%6d %6d %7d %6d %7.0f | %10.1f %9.1f %9.1f %8.1f %5.0f %4.0f | %11.1f %9.1f %9.1f %8.1f",
        s.seconds(), s.open(), s.ok(), s.errors(), s.tokensPerSecond(),
        s.gateway().rss() / 1e6, s.gateway().heapCommitted() / 1e6,
        s.gateway().heapUsed() / 1e6, s.gateway().heapAfterGc() / 1e6, s.gateway().fds(),
        gatewayCpuPercent, s.scheduler().rss() / 1e6, s.scheduler().heapCommitted() / 1e6,
        s.scheduler().heapUsed() / 1e6, s.scheduler().heapAfterGc() / 1e6);
  }

  private static void summary(Map<String, Long> counts, List<Sample> samples,
      long warmupSeconds, double @Nullable [] liveAtWarmup, double[] liveAtEnd, boolean drained) {
    System.out.println();
    long total = counts.values().stream().mapToLong(Long::longValue).sum();
    System.out.println("streams: " + total + " ended: " + counts
        + (drained ? "" : " (some still open after the load stopped: counted hung)"));
    List<Sample> steady = samples.stream().filter(s -> s.seconds() >= warmupSeconds).toList();
    if (steady.size() < 2) {
      System.out.println("too short for a steady state after the warm-up (" + warmupSeconds
          + " s)");
      return;
    }
    System.out.printf(Locale.ROOT, "after warm-up (%d s .. %d s, %d samples):%n",
        steady.get(0).seconds(), steady.get(steady.size() - 1).seconds(), steady.size());
    boolean flat = true;
    line("gateway   RSS MB          ", steady, s -> s.gateway().rss() / 1e6, -1, 0);
    flat &= line("gateway   RSS-heap_comm MB", steady, s -> s.gateway().nonHeapRss() / 1e6,
        0.10, 64);
    line("gateway   heap used MB    ", steady, s -> s.gateway().heapUsed() / 1e6, -1, 0);
    line("gateway   heap after GC MB", steady, s -> s.gateway().heapAfterGc() / 1e6, -1, 0);
    line("scheduler RSS MB          ", steady, s -> s.scheduler().rss() / 1e6, -1, 0);
    flat &= line("scheduler RSS-heap_comm MB", steady, s -> s.scheduler().nonHeapRss() / 1e6,
        0.10, 64);
    line("scheduler heap used MB    ", steady, s -> s.scheduler().heapUsed() / 1e6, -1, 0);
    line("scheduler heap after GC MB", steady, s -> s.scheduler().heapAfterGc() / 1e6, -1, 0);
    boolean liveFlat = true;
    if (liveAtWarmup == null || Double.isNaN(liveAtWarmup[0] + liveAtEnd[0])) {
      System.out.println("live heap after a full GC: not measured (no warm-up sample, or no"
          + " jcmd: run with a JDK)");
    } else {
      String[] names = {"gateway", "scheduler"};
      for (int i = 0; i < 2; i++) {
        double growth = liveAtEnd[i] - liveAtWarmup[i];
        boolean ok = growth <= Math.max(0.10 * liveAtWarmup[i], 16e6);
        liveFlat &= ok;
        System.out.printf(Locale.ROOT, "%-9s live heap after a full GC: %.1f MB at warm-up end,"
            + " %.1f MB at the end (%+.1f MB)%s%n", names[i], liveAtWarmup[i] / 1e6,
            liveAtEnd[i] / 1e6, growth / 1e6, ok ? "" : "  <- grew");
      }
    }
    System.out.println("flat: " + (flat && liveFlat ? "yes" : "NO")
        + " (judged: live heap after a full GC within 10 % or 16 MB, and RSS beyond the"
        + " committed heap, last vs first after warm-up, within 10 % or 64 MB; RSS, heap used"
        + " and heap after the last GC are shown, not judged: they follow the heap's growth"
        + " and GC cycles)");
  }

  /** Prints first/last/max of a series; whether the last stays within the bound of the first. */
  private static boolean line(String name, List<Sample> steady,
      java.util.function.ToDoubleFunction<Sample> value, double share, double floorMb) {
    double first = value.applyAsDouble(steady.get(0));
    double last = value.applyAsDouble(steady.get(steady.size() - 1));
    double max = steady.stream().mapToDouble(value).max().orElse(Double.NaN);
    boolean ok = share < 0 || last - first <= Math.max(share * first, floorMb);
    System.out.printf(Locale.ROOT, "  %s first %8.1f  last %8.1f  max %8.1f%s%n", name, first,
        last, max, ok ? "" : "  <- grew");
    return ok;
  }
}
