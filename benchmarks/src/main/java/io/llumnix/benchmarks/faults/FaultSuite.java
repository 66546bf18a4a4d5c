package io.llumnix.benchmarks.faults;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Faults injected into a whole cluster of real processes while streams run through it, each
 * case on a fresh cluster, in lite mode and in full mode, with one table of how the streams
 * ended.
 *
 * <p>The cluster is shaped as the deploy/ manifests: a Redis, two engine "pods" (engine-0 with
 * one simulated engine, engine-1 with two, as a data-parallel pod), each with a discovery
 * sidecar writing it to Redis, a scheduler and a gateway finding the engines there (lite:
 * {@code --no-enable-full-mode-scheduling} on both; full: llumlets writing the CMS in the same
 * Redis). The gateway runs with its defaults for finding dead engines (a 300 s idle timeout, a
 * {@code /health} probe after 10 s of silence, 10 s cooldowns; this suite's
 * {@code --engine-idle-timeout} flag sets the first), {@code --retry-max-count 2} and
 * {@code --shutdown-timeout 20s}; sidecars every 5 s. A {@link StreamLoad} keeps {@code --streams}
 * streams of {@code --tokens} tokens going; 10 s in, a burst of {@code --burst} long-prompt
 * streams is sent and, 200 ms later, the fault hits, so that some requests have not streamed a
 * token yet (their prefill is under way): the "waiting@fault" column says whether they were
 * retried successfully. Cases:
 *
 * <ul>
 *   <li>{@code engine-kill}: engine-0 SIGKILLed; restarted 30 s later.
 *   <li>{@code engine-freeze}: engine-0 SIGSTOPped (neither answers nor closes); SIGCONT 30 s
 *       later.
 *   <li>{@code scheduler-kill}: the scheduler SIGKILLed; restarted 15 s later.
 *   <li>{@code redis-restart}: Redis stopped for 30 s, restarted empty on its port.
 *   <li>{@code gateway-restart}: the gateway SIGTERMed (it drains), then started again on its
 *       port; the load client reconnects.
 * </ul>
 *
 * After the recovery the load runs 25 s more (40 s after Redis), then stops sending; streams
 * still open 65 s later count as hung. A case takes about 1.5–2.5 min, start-up included.
 *
 * <pre>
 * benchmarks/scripts/fault-suite.sh
 * java -cp benchmarks/target/benchmarks.jar io.llumnix.benchmarks.faults.FaultSuite \
 *     --jar cli/target/llumnix.jar [--streams 64] [--tokens 256] [--burst 24] \
 *     [--engine-idle-timeout 300s] \
 *     [--modes lite,full] \
 *     [--cases engine-kill,engine-freeze,scheduler-kill,redis-restart,gateway-restart]
 * </pre>
 */
public final class FaultSuite {

  /** A fault, how long it lasts, and how long the load runs after the recovery. */
  enum Fault {
    ENGINE_KILL("engine-kill", 30, 25),
    ENGINE_FREEZE("engine-freeze", 30, 25),
    SCHEDULER_KILL("scheduler-kill", 15, 25),
    REDIS_RESTART("redis-restart", 30, 40),
    GATEWAY_RESTART("gateway-restart", 0, 25);

    final String label;
    final int holdSeconds;
    final int observeSeconds;

    Fault(String label, int holdSeconds, int observeSeconds) {
      this.label = label;
      this.holdSeconds = holdSeconds;
      this.observeSeconds = observeSeconds;
    }

    static Fault named(String name) {
      for (Fault fault : values()) {
        if (fault.label.equals(name)) {
          return fault;
        }
      }
      throw new IllegalArgumentException("unknown case: " + name + " (expected one of: "
          + Arrays.stream(values()).map(f -> f.label).toList() + ")");
    }
  }

  /** The gateway's flags in this suite, after {@code --engine-idle-timeout <value>}. */
  static final String GATEWAY_FAULT_FLAGS = "--retry-max-count 2 --shutdown-timeout 20s";
  static final double SPEEDUP = 0.25;
  static final int SIDECAR_INTERVAL_SECONDS = 5;
  static final int WARM_SECONDS = 10;
  static final int DRAIN_SECONDS = 65;
  static final int KV_OFFSET = 7000;

  /** Ports of one cluster. */
  record Ports(int redis, int engine, int scheduler, int gateway) {
    List<Integer> engines() {
      return List.of(engine, engine + 1, engine + 2);
    }
  }

  private final Path jar;
  private final Path logs;
  private final int streams;
  private final int tokens;
  private final int burst;
  private final String longPrompt;
  private final String gatewayFlags;

  private FaultSuite(Path jar, Path logs, int streams, int tokens, int burst,
      String gatewayFlags) {
    this.gatewayFlags = gatewayFlags;
    this.jar = jar;
    this.logs = logs;
    this.streams = streams;
    this.tokens = tokens;
    this.burst = burst;
    StringBuilder prompt = new StringBuilder();
    for (int i = 0; i < 1500; i++) {
      prompt.append(i == 0 ? "" : " ").append("word").append(i % 97);
    }
    this.longPrompt = prompt.toString();
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> flags = flags(args);
    Path jar = Path.of(flags.getOrDefault("jar", "cli/target/llumnix.jar")).toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalArgumentException("--jar: " + jar + " (expected: the runnable jar)");
    }
    Path logs = Path.of(flags.getOrDefault("logs",
        Files.createTempDirectory("fault-suite-").toString()));
    int streams = Integer.parseInt(flags.getOrDefault("streams", "64"));
    int tokens = Integer.parseInt(flags.getOrDefault("tokens", "256"));
    int burst = Integer.parseInt(flags.getOrDefault("burst", "24"));
    String gatewayFlags = "--engine-idle-timeout " + flags.getOrDefault("engine-idle-timeout",
        "300s") + " " + GATEWAY_FAULT_FLAGS;
    List<String> modes = List.of(flags.getOrDefault("modes", "lite,full").split(","));
    List<Fault> faults = Arrays.stream(flags.getOrDefault("cases",
            "engine-kill,engine-freeze,scheduler-kill,redis-restart,gateway-restart")
        .split(",")).map(Fault::named).toList();
    for (String mode : modes) {
      if (!mode.equals("lite") && !mode.equals("full")) {
        throw new IllegalArgumentException("--modes: " + mode + " (expected: lite, full)");
      }
    }

    System.out.printf(Locale.ROOT, "# fault suite: %d streams of %d tokens (stream, ignore_eos),"
            + " burst of %d long-prompt streams 200 ms before each fault%n", streams, tokens,
        burst);
    System.out.printf(Locale.ROOT, "# gateway %s (the retries and drain this suite's; the"
            + " defaults are 0 and 30 s); engines: 3 simulated (llama3-8b-h100, speedup"
            + " %.2f, --positional-output) in 2 pods with discovery sidecars every %d s;"
            + " logs in %s%n", gatewayFlags, SPEEDUP, SIDECAR_INTERVAL_SECONDS, logs);
    FaultSuite suite = new FaultSuite(jar, logs, streams, tokens, burst, gatewayFlags);
    List<FaultReport.Result> results = new ArrayList<>();
    for (Fault fault : faults) {
      for (String mode : modes) {
        FaultReport.Result result = suite.run(fault, mode);
        results.add(result);
        System.out.println("# " + FaultReport.row(result));
      }
    }
    System.out.println();
    FaultReport.print(results);
  }

  private static Map<String, String> flags(String[] args) {
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 == args.length) {
        throw new IllegalArgumentException("bad arguments: " + String.join(" ", args)
            + " (expected: --name value ...)");
      }
      flags.put(args[i].substring(2), args[++i]);
    }
    return flags;
  }

  // ---- one case

  private FaultReport.Result run(Fault fault, String mode) throws Exception {
    boolean lite = mode.equals("lite");
    System.out.printf(Locale.ROOT, "# %s / %s: starting the cluster%n", fault.label, mode);
    Cluster cluster = new Cluster(jar, logs.resolve(fault.label + "-" + mode));
    Ports ports = ports();
    String note = "";
    try {
      start(cluster, ports, lite);
      note = awaitReady(ports);
      try (StreamLoad load = new StreamLoad(ports.gateway(), streams, tokens, true)) {
        long loadStart = System.nanoTime();
        load.start(Duration.ofSeconds(2));
        TimeUnit.SECONDS.sleep(WARM_SECONDS);
        long retriesBefore = 0;
        load.burst(burst, longPrompt);
        TimeUnit.MILLISECONDS.sleep(200);
        long faultAt = System.nanoTime();
        switch (fault) {
          case ENGINE_KILL -> cluster.kill("engine-0");
          case ENGINE_FREEZE -> cluster.freeze("engine-0");
          case SCHEDULER_KILL -> cluster.kill("scheduler");
          case REDIS_RESTART -> cluster.terminate("redis", Duration.ofSeconds(5));
          case GATEWAY_RESTART -> {
            retriesBefore = retries(ports.gateway());
            long drainStart = System.nanoTime();
            boolean exited = cluster.terminate("gateway", Duration.ofSeconds(35));
            note = join(note, String.format(Locale.ROOT, "gateway %s in %.1f s",
                exited ? "drained and exited" : "did not exit (SIGKILLed)",
                (System.nanoTime() - drainStart) / 1e9));
          }
        }
        TimeUnit.SECONDS.sleep(fault.holdSeconds);
        long recoverAt = System.nanoTime();
        switch (fault) {
          case ENGINE_KILL -> cluster.restart("engine-0");
          case ENGINE_FREEZE -> cluster.thaw("engine-0");
          case SCHEDULER_KILL -> cluster.restart("scheduler");
          case REDIS_RESTART -> cluster.restart("redis");
          case GATEWAY_RESTART -> {
            cluster.restart("gateway");
            boolean up = Cluster.await(Duration.ofSeconds(60), () -> healthy(ports.gateway()));
            note = join(note, String.format(Locale.ROOT, "restarted, healthy after %.1f s%s",
                (System.nanoTime() - recoverAt) / 1e9, up ? "" : " (not in 60 s)"));
            recoverAt = System.nanoTime(); // "after" = once it serves again
          }
        }
        TimeUnit.SECONDS.sleep(fault.observeSeconds);
        long stopAt = System.nanoTime();
        long retries = retriesBefore + retries(ports.gateway());
        load.stopIssuing();
        if (!load.awaitIdle(Duration.ofSeconds(DRAIN_SECONDS))) {
          note = join(note, load.openCount() + " open " + DRAIN_SECONDS + " s after the load"
              + " stopped");
        }
        load.abandon();
        note = join(note, String.format(Locale.ROOT, "load ran %.0f s",
            (System.nanoTime() - loadStart) / 1e9));
        return FaultReport.result(fault.label, mode, load.records(), faultAt, recoverAt, stopAt,
            retries, note);
      }
    } catch (Exception e) {
      note = join(note, "harness: " + e);
      return new FaultReport.Result(fault.label, mode, new Tally(), "-", "-", "-", "-", "-", "-", 0,
          note,
          List.of());
    } finally {
      cluster.close();
    }
  }

  static String join(String a, String b) {
    return a.isEmpty() ? b : a + "; " + b;
  }

  private Ports ports() throws java.io.IOException {
    int[] free = Cluster.freePorts(3);
    int engine = Cluster.freeBlock(3, KV_OFFSET, (int) ProcessHandle.current().pid());
    return new Ports(free[0], engine, free[1], free[2]);
  }

  private void start(Cluster cluster, Ports ports, boolean lite) throws InterruptedException {
    String redis = String.valueOf(ports.redis());
    cluster.redis("redis", ports.redis());
    Cluster.await(Duration.ofSeconds(10), () -> cluster.log("redis").contains("Ready to accept"));
    List<String> engineJvm = List.of("-Xmx1g", "-XX:+ExitOnOutOfMemoryError");
    List<String> sidecarJvm = List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    for (int pod = 0; pod < 2; pod++) {
      int port = ports.engine() + pod; // engine-0: one engine; engine-1: two (port, port + 1)
      int instances = pod + 1;
      List<String> args = new ArrayList<>(List.of("engine-sim", "--host", "127.0.0.1", "--port",
          String.valueOf(port), "--instances", String.valueOf(instances), "--model", "m",
          "--tokenizer-name", "builtin", "--positional-output", "--speedup",
          String.valueOf(SPEEDUP), "--kv-transfer-port-offset", String.valueOf(KV_OFFSET),
          "--drain-timeout", "0s"));
      if (!lite) {
        args.addAll(List.of("--enable-llumlet", "--cms-redis-port", redis));
      }
      cluster.java("engine-" + pod, engineJvm, args.toArray(String[]::new));
      cluster.java("discovery-" + pod, sidecarJvm, "discovery", "--pod-name", "pod-" + pod,
          "--entrypoint-ip", "127.0.0.1", "--entrypoint-port", String.valueOf(port),
          "--kv-transfer-port", String.valueOf(port + KV_OFFSET), "--dp-size-local",
          String.valueOf(instances), "--model", "m", "--redis-port", redis, "--interval",
          String.valueOf(SIDECAR_INTERVAL_SECONDS));
    }
    List<String> scheduler = new ArrayList<>(List.of("scheduler", "--host", "127.0.0.1",
        "--port", String.valueOf(ports.scheduler()), "--llm-backend-discovery", "redis",
        "--discovery-redis-port", redis));
    if (lite) {
      scheduler.add("--no-enable-full-mode-scheduling");
    } else {
      scheduler.addAll(List.of("--cms-redis-port", redis, "--cms-pull-status-interval-ms",
          "500", "--cms-pull-metadata-interval-ms", "10000"));
    }
    cluster.java("scheduler", List.of("-Xmx768m"), scheduler.toArray(String[]::new));
    List<String> gateway = new ArrayList<>(List.of("gateway", "--host", "127.0.0.1", "--port",
        String.valueOf(ports.gateway()), "--scheduler-endpoints",
        "127.0.0.1:" + ports.scheduler(), "--llm-backend-discovery", "redis",
        "--discovery-redis-port", redis, "--tokenizer-name", "builtin",
        lite ? "--no-enable-full-mode-scheduling" : "--enable-full-mode-scheduling"));
    gateway.addAll(List.of(gatewayFlags.split(" ")));
    cluster.java("gateway", List.of("-Xmx1536m"), gateway.toArray(String[]::new));
  }

  /**
   * Waits (up to 120 s) until the gateway serves and every engine has served a request sent
   * through it; a note when not every engine did.
   */
  private static String awaitReady(Ports ports) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    if (!Cluster.await(Duration.ofSeconds(120), () -> healthy(ports.gateway()))) {
      throw new IllegalStateException("the gateway did not become healthy in 120 s");
    }
    while (System.nanoTime() < deadline) {
      List<CompletableFuture<?>> calls = new ArrayList<>();
      for (int i = 0; i < 9; i++) {
        calls.add(CompletableFuture.runAsync(() -> {
          try {
            Cluster.post(ports.gateway(), "/v1/completions",
                "{\"model\":\"m\",\"prompt\":\"ready\",\"max_tokens\":8,\"ignore_eos\":true}");
          } catch (Exception ignored) {
            // not yet
          }
        }));
      }
      CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
      if (ports.engines().stream().allMatch(p ->
          Cluster.metric(p, "vllm:request_success_total") > 0)) {
        return "";
      }
      TimeUnit.SECONDS.sleep(1);
    }
    return "not every engine served during start-up";
  }

  private static boolean healthy(int port) {
    try {
      return Cluster.get(port, "/healthz").statusCode() == 200;
    } catch (Exception e) {
      return false;
    }
  }

  private static long retries(int gateway) {
    double retries = Cluster.metric(gateway, "request_retry_total");
    return Double.isNaN(retries) ? 0 : (long) retries;
  }
}
